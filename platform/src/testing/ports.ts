import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A TCP port for a server that is told its port before it listens (a service started in another
 * process, a container's published port, an API server's flags).
 *
 * Asking the kernel for port 0 and closing it again is not enough for that: the port returned is in
 * the ephemeral range, where every outgoing connection of the machine (a Kafka client, a Postgres pool)
 * also takes its local port, and nothing keeps another test from being handed the same port before the
 * server binds it. So a reserved port comes from below the ephemeral range (which outgoing connections
 * never use), is held by a file created exclusively under the machine's temporary folder (so no other
 * process of any checkout gets it while the reserving process lives), and is free on every address at
 * the moment it is handed out. `releasePort` gives it back; a reservation whose process has exited is
 * taken over.
 */
export const PORT_RESERVATIONS = join(tmpdir(), 'shop-test-ports');

const LOWEST = 20_000;

/** The first port of the kernel's ephemeral range (Linux; 32768 elsewhere, its usual start). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > LOWEST + 1000 ? port : 32_768;
  } catch {
    return 32_768;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Creates the reservation file, or takes over one whose process is gone. False when it is held. */
function claim(port: number): boolean {
  const file = join(PORT_RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      // Released in between: try again.
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
    try {
      unlinkSync(file);
    } catch {
      // Another process took it over first; its exclusive create decides.
    }
  }
  return false;
}

/** Whether nothing listens on the port, on any address, right now. */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });

export async function reservePort(): Promise<number> {
  mkdirSync(PORT_RESERVATIONS, { recursive: true });
  const span = ephemeralStart() - LOWEST;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * span);
    if (!claim(port)) continue;
    if (await bindable(port)) return port;
    releasePort(port);
  }
  throw new Error(
    `no free port below ${LOWEST + span} after 200 attempts (reservations in ${PORT_RESERVATIONS})`,
  );
}

/**
 * A base port reserved with `base + offset` for every offset (e.g. [0, 1, 10, 11, 20, 21] for three
 * Kafka nodes, each a broker and a controller port, ten apart), all of them free; `releasePorts` gives
 * them back.
 */
export async function reservePorts(offsets: readonly number[]): Promise<number> {
  mkdirSync(PORT_RESERVATIONS, { recursive: true });
  const widest = Math.max(0, ...offsets);
  const span = ephemeralStart() - LOWEST - widest;
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * span);
    const claimed: number[] = [];
    for (const port of offsets.map((offset) => base + offset)) {
      if (!claim(port)) break;
      claimed.push(port);
    }
    if (claimed.length === offsets.length) {
      const free = await Promise.all(claimed.map(bindable));
      if (free.every(Boolean)) return base;
    }
    for (const port of claimed) releasePort(port);
  }
  throw new Error(
    `no ${offsets.length} free ports at offsets ${offsets.join(', ')} after 200 attempts (reservations in ${PORT_RESERVATIONS})`,
  );
}

/** Gives back the ports `reservePorts(offsets)` reserved at `base`. */
export function releasePorts(base: number, offsets: readonly number[]): void {
  for (const offset of offsets) releasePort(base + offset);
}

/** Gives a reserved port back (only the reserving process's own reservation is removed). */
export function releasePort(port: number): void {
  const file = join(PORT_RESERVATIONS, String(port));
  try {
    if (Number(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file);
  } catch {
    // Not reserved (any more).
  }
}
