import { Redis } from 'ioredis';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';
import { createEncoder } from '../codec.js';
import type { OutputClient, OutputContext, OutputFactory, OutputGroup } from '../output.js';
import { RedisClient, redisOptions } from './client.js';
import { redisSchema, resolveRedisConfig, type RedisEndpoint, type RedisOutputConfig } from './config.js';

export { RedisClient, redisOptions, type RedisClientSettings } from './client.js';
export {
  buildTlsOptions,
  parseRedisHost,
  REDIS_BATCH_SIZE,
  REDIS_DEFAULT_PORT,
  REDIS_MAX_RETRIES,
  redisSchema,
  resolveRedisConfig,
  type RedisDataType,
  type RedisEndpoint,
  type RedisOutputConfig,
  type RedisSslConfig,
  type ResolvedRedisConfig,
} from './config.js';
export { buildKeySelector, type KeySelector, type RedisKeyRule } from './selector.js';

/**
 * `output.redis`. With `loadbalance` (the default) there are `worker` clients
 * per host; without it, `worker` clients each failing over through the hosts
 * in order. Connections open on the first batch (ioredis `lazyConnect`).
 */
export function createRedisOutput(config: RedisOutputConfig, ctx: OutputContext): OutputGroup {
  const settings = resolveRedisConfig(config, ctx.beat.beat);
  const encoder = createEncoder(ctx.beat, config.codec);
  const clients: OutputClient[] = [];
  const groups: (readonly RedisEndpoint[])[] = settings.loadbalance ? settings.endpoints.map((e) => [e]) : [settings.endpoints];
  for (const endpoints of groups) {
    for (let w = 0; w < settings.worker; w++) {
      clients.push(
        new RedisClient({ endpoints, datatype: settings.datatype, selector: settings.selector, timeoutMs: settings.timeoutMs }, encoder, ctx),
      );
    }
  }
  ctx.logger.info('Initialized redis output', {
    hosts: settings.endpoints.map((e) => e.label),
    datatype: settings.datatype,
    loadbalance: settings.loadbalance,
    worker: settings.worker,
  });
  return { clients, batchSize: settings.batchSize, maxRetries: settings.maxRetries, backoff: settings.backoff };
}

/** PING and `INFO server` against one endpoint, without reconnecting. */
async function checkEndpoint(ep: RedisEndpoint, timeoutMs: number): Promise<string> {
  const redis = new Redis(redisOptions(ep, timeoutMs, false));
  redis.on('error', () => undefined); // reported by the rejected calls below
  try {
    await redis.connect();
    const pong: string = await redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
    const info = await redis.info('server');
    const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
    return `redis ${ep.label}${ep.tls !== undefined ? ' (TLS)' : ''} db ${ep.db}: PING ok, server version ${version}`;
  } finally {
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}

export const redisOutputFactory: OutputFactory<RedisOutputConfig> = {
  type: 'redis',
  schema: redisSchema,
  create: createRedisOutput,
  /** For `test output`: every host answers PING; reports each server's version. */
  async healthcheck(config, ctx): Promise<string> {
    const settings = resolveRedisConfig(config, ctx.beat.beat);
    const lines: string[] = [];
    for (const ep of settings.endpoints) {
      try {
        lines.push(await checkEndpoint(ep, settings.timeoutMs));
      } catch (err) {
        throw new BeatError(ErrorCodes.OUTPUT_FAILED, `redis output: ${ep.label}: ${errorMessage(err)}`, { cause: err });
      }
    }
    return lines.join('\n');
  },
};
