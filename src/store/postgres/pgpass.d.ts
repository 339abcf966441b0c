// pgpass has no types of its own: the one call the store makes.
declare module 'pgpass' {
  /** Looks the connection up in ~/.pgpass (or $PGPASSFILE); undefined when no line matches or the file is not private. */
  export default function pgpass(
    connection: { host?: string; port?: number | string; database?: string; user?: string },
    callback: (password: string | undefined) => void,
  ): void;
}
