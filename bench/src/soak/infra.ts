/**
 * The soak's own infrastructure: Postgres, Redis and a three-node Kafka from scripts/infra.sh in a
 * directory and on ports of their own, since the soak kills and restarts them. The shared development
 * infrastructure (default ports) is never touched.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createKafka } from '../../../platform/src/kafka.js';
import { createLogger } from '../../../platform/src/logger.js';
import { ROOT } from '../../../scripts/stack.js';

const INFRA = join(ROOT, 'scripts', 'infra.sh');

export interface SoakInfraOptions {
  /** INFRA_DIR: data, logs and pids (default <repo>/.local/soak). */
  dir: string;
  pgPort: number;
  redisPort: number;
  /** Node N's broker port is kafkaPort + 10 * (N - 1), its controller port kafkaControllerPort + 10 * (N - 1). */
  kafkaPort: number;
  kafkaControllerPort: number;
}

export type SoakInfra = ReturnType<typeof soakInfra>;

export function soakInfra(options: SoakInfraOptions) {
  const kafkaNodes = 3;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    INFRA_DIR: options.dir,
    PGPORT: String(options.pgPort),
    REDIS_PORT: String(options.redisPort),
    KAFKA_PORT: String(options.kafkaPort),
    KAFKA_CONTROLLER_PORT: String(options.kafkaControllerPort),
    KAFKA_BROKERS_COUNT: String(kafkaNodes),
  };
  const run = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('bash', [INFRA, ...args], { env, timeout: 300_000 }, (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                `scripts/infra.sh ${args.join(' ')} failed: ${stderr.split('\n').slice(-20).join('\n')}`,
              ),
            )
          : resolve(`${stdout}${stderr}`),
      );
    });
  const brokers = Array.from(
    { length: kafkaNodes },
    (_, i) => `127.0.0.1:${options.kafkaPort + 10 * i}`,
  ).join(',');
  return {
    kafkaNodes,
    /** What the stack's processes and the checker connect with. */
    clientEnv: {
      PGHOST: '127.0.0.1',
      PGPORT: String(options.pgPort),
      PGUSER: 'postgres',
      PGPASSWORD: 'postgres',
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${options.pgPort}`,
      REDIS_URL: `redis://127.0.0.1:${options.redisPort}`,
      KAFKA_BROKERS: brokers,
    },
    up: (...services: string[]) => run('up', ...services),
    down: (...services: string[]) => run('down', ...services),
    killKafkaNode: (node: number) => run('kill', 'kafka', String(node)),
    /** Starts node `node` again; resolves once it answers metadata listing every node of the cluster. */
    async restartKafkaNode(node: number, timeoutMs = 240_000) {
      await run('start', 'kafka', String(node));
      const kafka = createKafka({
        clientId: 'soak-infra',
        brokers: [`127.0.0.1:${options.kafkaPort + 10 * (node - 1)}`],
        logger: createLogger('soak-infra', { level: 'silent' }),
      });
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const admin = await kafka.admin();
          try {
            const { brokers: answered } = await admin.describeCluster();
            if (answered.length === kafkaNodes) return;
            last = `${answered.length} brokers`;
          } finally {
            await admin.disconnect();
          }
        } catch (error) {
          last = String(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`kafka node ${node} did not rejoin within ${timeoutMs} ms: ${last}`);
    },
  };
}
