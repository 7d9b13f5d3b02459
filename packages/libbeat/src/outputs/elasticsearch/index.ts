import { Client } from '@elastic/elasticsearch';
import { BeatError, ErrorCodes } from '../../errors.js';
import type { OutputClient, OutputContext, OutputFactory, OutputGroup } from '../output.js';
import { buildClientSettings, describeRequestError, ElasticsearchClient, esClientOptions } from './client.js';
import { elasticsearchSchema, resolveElasticsearchConfig, type ElasticsearchOutputConfig } from './config.js';

export { ElasticsearchClient, describeRequestError, esClientOptions } from './client.js';
export {
  elasticsearchSchema,
  resolveElasticsearchConfig,
  makeHostUrl,
  encodeApiKey,
  ES_DEFAULT_BULK_MAX_SIZE,
  type ElasticsearchOutputConfig,
  type ElasticsearchRuleConfig,
  type ElasticsearchSslConfig,
  type ResolvedElasticsearchConfig,
} from './config.js';

/**
 * `output.elasticsearch`. With `loadbalance: true` (the default) there are
 * `worker` clients per host, each bound to its host; with `loadbalance: false`
 * there are `worker` clients each knowing every host, so the official
 * client's connection pool moves to the next host when one fails.
 */
export function createElasticsearchOutput(config: ElasticsearchOutputConfig, ctx: OutputContext): OutputGroup {
  const resolved = resolveElasticsearchConfig(config, ctx.beat.beat);
  const settings = buildClientSettings(resolved);
  const clients: OutputClient[] = [];
  if (resolved.loadbalance) {
    for (const url of resolved.urls) {
      for (let w = 0; w < resolved.worker; w++) clients.push(new ElasticsearchClient(settings, [url], ctx));
    }
  } else {
    for (let w = 0; w < resolved.worker; w++) clients.push(new ElasticsearchClient(settings, resolved.urls, ctx));
  }
  ctx.logger.info('Initialized elasticsearch output', {
    hosts: resolved.urls.map((u) => u.toString()),
    index: resolved.index,
    workers: clients.length,
    bulk_max_size: resolved.bulkMaxSize,
    compression: resolved.compression,
  });
  return {
    clients,
    batchSize: resolved.bulkMaxSize,
    maxRetries: resolved.maxRetries,
    backoff: { initMs: resolved.backoffInitMs, maxMs: resolved.backoffMaxMs },
  };
}

/**
 * For `test output`: `GET /` on every host. Resolves with one line per host,
 * `elasticsearch: http://host:9200... connection... OK, version: 8.19.0`;
 * rejects with the first failure's reason (`connection refused`, `status 401: …`).
 */
export async function elasticsearchHealthcheck(config: ElasticsearchOutputConfig, ctx: OutputContext): Promise<string> {
  const resolved = resolveElasticsearchConfig(config, ctx.beat.beat);
  const lines: string[] = [];
  for (const url of resolved.urls) {
    const name = url.toString().replace(/\/$/, '');
    const client = new Client(esClientOptions(resolved, [url]));
    try {
      const info = await client.info();
      lines.push(`elasticsearch: ${name}... connection... OK, version: ${info.version.number}`);
    } catch (err) {
      throw new BeatError(ErrorCodes.OUTPUT_FAILED, `elasticsearch: ${name}... connection... ERROR ${describeRequestError(err)}`, { cause: err });
    } finally {
      await client.close();
    }
  }
  return lines.join('\n');
}

export const elasticsearchOutputFactory: OutputFactory<ElasticsearchOutputConfig> = {
  type: 'elasticsearch',
  schema: elasticsearchSchema,
  create: createElasticsearchOutput,
  healthcheck: elasticsearchHealthcheck,
};
