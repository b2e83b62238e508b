import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PORT_RESERVATIONS, releasePort, releasePorts, reservePort, reservePorts } from './ports.js';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
const fileOf = (port: number) => join(PORT_RESERVATIONS, String(port));
/** Math.random values that make reservePort try exactly these ports, in order. */
const tryPorts = (...ports: number[]) => {
  const spy = jest.spyOn(Math, 'random');
  for (const port of ports) spy.mockReturnValueOnce((port - 20_000 + 0.5) / (ephemeralStart - 20_000));
};

afterEach(() => {
  jest.restoreAllMocks();
});

describe('reservePort', () => {
  it('hands out a port below the ephemeral range, held by a file naming this process until released', async () => {
    const port = await reservePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralStart);
    expect(readFileSync(fileOf(port), 'utf8')).toBe(String(process.pid));
    releasePort(port);
    expect(existsSync(fileOf(port))).toBe(false);
  });

  it('never hands out a port another living process holds, and takes over one whose process is gone', async () => {
    const [held, stale] = [await reservePort(), await reservePort()];
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(fileOf(held), String(process.ppid));
    writeFileSync(fileOf(stale), String(gone));
    tryPorts(held, stale);
    await expect(reservePort()).resolves.toBe(stale);
    expect(readFileSync(fileOf(stale), 'utf8')).toBe(String(process.pid));
    // Only the holder's own reservation is removed by releasePort.
    releasePort(held);
    expect(readFileSync(fileOf(held), 'utf8')).toBe(String(process.ppid));
    writeFileSync(fileOf(held), String(process.pid));
    releasePort(held);
    releasePort(stale);
  });

  it('skips a port something already listens on, and gives its reservation back', async () => {
    const [busy, next] = [await reservePort(), await reservePort()];
    releasePort(busy);
    releasePort(next);
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(busy, '127.0.0.1', resolve));
    try {
      tryPorts(busy, next);
      await expect(reservePort()).resolves.toBe(next);
      expect(existsSync(fileOf(busy))).toBe(false);
    } finally {
      releasePort(next);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('reservePorts', () => {
  const KAFKA = [0, 1, 10, 11, 20, 21];

  it('reserves a port at every offset from one base, each free and held until released', async () => {
    const base = await reservePorts(KAFKA);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 21).toBeLessThan(ephemeralStart);
    for (const offset of KAFKA) expect(readFileSync(fileOf(base + offset), 'utf8')).toBe(String(process.pid));
    releasePorts(base, KAFKA);
    for (const offset of KAFKA) expect(existsSync(fileOf(base + offset))).toBe(false);
  });

  it('skips a base where one of the offsets is taken, and gives back what it had claimed there', async () => {
    const [busy, next] = [await reservePorts(KAFKA), await reservePorts(KAFKA)];
    releasePorts(busy, KAFKA);
    releasePorts(next, KAFKA);
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(busy + 11, '127.0.0.1', resolve));
    try {
      const spy = jest.spyOn(Math, 'random');
      for (const base of [busy, next])
        spy.mockReturnValueOnce((base - 20_000 + 0.5) / (ephemeralStart - 20_000 - 21));
      await expect(reservePorts(KAFKA)).resolves.toBe(next);
      for (const offset of KAFKA) expect(existsSync(fileOf(busy + offset))).toBe(false);
    } finally {
      releasePorts(next, KAFKA);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
