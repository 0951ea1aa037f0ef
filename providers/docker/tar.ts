/** A minimal ustar writer, enough to upload files with an exact mode/owner into a container (`docker cp -`). */

export interface TarEntry {
  /** Path inside the archive, relative (no leading "/"). */
  path: string;
  content: Buffer;
  /** Permission bits, e.g. 0o640. */
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

function octal(value: number, width: number): string {
  // width includes the trailing NUL
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const idx = path.lastIndexOf("/", 155);
  if (idx <= 0 || Buffer.byteLength(path.slice(idx + 1)) > 100 || Buffer.byteLength(path.slice(0, idx)) > 155) {
    throw new Error(`path too long for a ustar header: ${path}`);
  }
  return { name: path.slice(idx + 1), prefix: path.slice(0, idx) };
}

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(512, 0);
  const { name, prefix } = splitPath(e.path);
  h.write(name, 0, 100, "utf8");
  h.write(octal(e.mode & 0o7777, 8), 100, 8, "ascii");
  h.write(octal(e.uid ?? 0, 8), 108, 8, "ascii");
  h.write(octal(e.gid ?? 0, 8), 116, 8, "ascii");
  h.write(octal(e.content.length, 12), 124, 12, "ascii");
  h.write(octal(Math.floor(e.mtime ?? Date.now() / 1000), 12), 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii"); // checksum placeholder: spaces
  h.write("0", 156, 1, "ascii"); // regular file
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

/** Builds a complete tar archive (with the two terminating zero blocks). */
export function buildTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.path.startsWith("/")) throw new Error(`tar entry path must be relative: ${e.path}`);
    parts.push(header(e), e.content);
    const pad = (512 - (e.content.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}
