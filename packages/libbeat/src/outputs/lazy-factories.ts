import { elasticsearchSchema, type ElasticsearchOutputConfig } from './elasticsearch/config.js';
import type { OutputFactory } from './output.js';
import { redisSchema, type RedisOutputConfig } from './redis/config.js';

/*
 * The Elasticsearch and Redis outputs as the registry holds them: their
 * schemas (needed to validate any config) are here, their clients, which
 * pull in large libraries, are loaded when such an output is used. Start-up
 * of every run is shorter by the time it takes to load them.
 */

export const elasticsearchOutputFactory: OutputFactory<ElasticsearchOutputConfig> = {
  type: 'elasticsearch',
  schema: elasticsearchSchema,
  create: async (config, ctx) => (await import('./elasticsearch/index.js')).createElasticsearchOutput(config, ctx),
  healthcheck: async (config, ctx) => (await import('./elasticsearch/index.js')).elasticsearchHealthcheck(config, ctx),
};

export const redisOutputFactory: OutputFactory<RedisOutputConfig> = {
  type: 'redis',
  schema: redisSchema,
  create: async (config, ctx) => (await import('./redis/index.js')).redisOutputFactory.create(config, ctx),
  healthcheck: async (config, ctx) => {
    const { redisOutputFactory: factory } = await import('./redis/index.js');
    if (factory.healthcheck === undefined) throw new Error('the redis output has no healthcheck');
    return factory.healthcheck(config, ctx);
  },
};
