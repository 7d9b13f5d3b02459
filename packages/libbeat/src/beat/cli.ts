import { Command, CommanderError, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { BeatError, errorMessage } from '../errors.js';
import type { BeatDefinition, BeatFlags } from './beater.js';
import { parseBoolFlag, toGlobalFlags, type GlobalFlags, type RawGlobalOptions } from './cli-options.js';
import { loadBeatConfig, runBeat, testConfig, testOutput } from './runner.js';

export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const guardedStreams = new WeakSet<NodeJS.WritableStream>();

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Go's flag package accepts `-path.home` as well as `--path.home`; commander wants the latter. */
function normaliseLongFlags(argv: readonly string[], longNames: ReadonlySet<string>): string[] {
  return argv.map((arg) => {
    if (!arg.startsWith('-') || arg.startsWith('--')) return arg;
    const name = arg.slice(1).split('=')[0] ?? '';
    return longNames.has(name) ? `-${arg}` : arg;
  });
}

/**
 * The beat's command line, as Beats has it: `run` (the default), `test config`,
 * `test output`, `version`, `export config`, plus the beat's own commands, with
 * the global flags `-c -E -e -d -v --path.* --strict.perms`. Returns the exit code.
 */
export async function runCli(def: BeatDefinition, argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let exitCode = 0;
  // A reader that goes away (`packetbeat devices | head -1`) is not a crash;
  // the console output sees the failed writes itself and accounts for them.
  // The error can arrive after the command returned, so the listener stays.
  const ignoreClosedPipe = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err;
  };
  if (!guardedStreams.has(io.stdout)) {
    guardedStreams.add(io.stdout);
    io.stdout.on('error', ignoreClosedPipe);
  }
  const print = (text: string): void => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const fail = (err: unknown): number => {
    io.stderr.write(`Exiting: ${errorMessage(err)}\n`);
    return 1;
  };

  const program = new Command(def.name);
  program
    .description(`${def.name} ${def.version}`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .option('-c <file>', 'configuration file, relative to path.config (repeatable)', collect, [])
    .option('-E <key=value>', 'configuration overwrite (repeatable)', collect, [])
    .option('-e', 'log to stderr and disable file logging')
    .option('-d <selectors>', "enable debug output for the selectors (comma separated, '*' for all)", collect, [])
    .option('-v', 'log at INFO level')
    .option('--path.home <path>', 'home path')
    .option('--path.config <path>', 'configuration path')
    .option('--path.data <path>', 'data path')
    .option('--path.logs <path>', 'logs path')
    .addOption(new Option('--strict.perms <bool>', 'strict permission checking on config files').argParser(parseBoolFlag).default(true));

  const globals = (cmd: Command): GlobalFlags => toGlobalFlags(cmd.optsWithGlobals<RawGlobalOptions>(), def.name);
  const beatFlags = (cmd: Command): BeatFlags => cmd.opts<Record<string, string | boolean | string[] | undefined>>();

  const run = program.command('run', { isDefault: true }).description(`run ${def.name} (the default command)`);
  for (const flag of def.flags ?? []) {
    const option = new Option(flag.flags, flag.description);
    if (flag.defaultValue !== undefined) option.default(flag.defaultValue);
    run.addOption(option);
  }
  run.action(async (_opts: unknown, cmd: Command) => {
    exitCode = await runBeat(def, globals(cmd), beatFlags(cmd), io.stderr);
  });

  const test = program.command('test').description('test config or output');
  test
    .command('config')
    .description('check that the configuration is valid, opening nothing')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const warnings = await testConfig(def, globals(cmd));
        for (const w of warnings) io.stderr.write(`Warning: ${w}\n`);
        print('Config OK');
      } catch (err) {
        exitCode = fail(err);
      }
    });
  test
    .command('output')
    .description('connect to the configured output and report on it')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        print(await testOutput(def, globals(cmd)));
      } catch (err) {
        exitCode = fail(err);
      }
    });

  program
    .command('version')
    .description('show the version')
    .action(() => {
      print(`${def.name} version ${def.version} (${process.arch}), libbeat ${def.version} [node ${process.version}]`);
    });

  const exportCmd = program.command('export').description('export the configuration, the index template or the ILM policy');
  exportCmd
    .command('config')
    .description('print the effective configuration (files, -E and variables applied) as YAML')
    .action((_opts: unknown, cmd: Command) => {
      try {
        const config = loadBeatConfig(def, globals(cmd), false);
        print(toYaml(config.user, { version: '1.1' }));
      } catch (err) {
        exitCode = fail(err);
      }
    });
  exportCmd
    .command('template')
    .description('print the index template (setup.template.* applied) as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const config = loadBeatConfig(def, globals(cmd), false);
        const { buildTemplate, readSetupSettings } = await import('./setup.js');
        print(JSON.stringify(buildTemplate(readSetupSettings(config, def.name, def.version), def.fields ?? []).body, null, 2));
      } catch (err) {
        exitCode = fail(err);
      }
    });
  exportCmd
    .command('ilm-policy')
    .description('print the index lifecycle policy (setup.ilm.* applied) as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const config = loadBeatConfig(def, globals(cmd), false);
        const { buildIlmPolicy, readSetupSettings } = await import('./setup.js');
        print(JSON.stringify(buildIlmPolicy(readSetupSettings(config, def.name, def.version)).body, null, 2));
      } catch (err) {
        exitCode = fail(err);
      }
    });

  program
    .command('setup')
    .description('load the ILM policy, the index template and the data stream into Elasticsearch')
    .option('--index-management', 'set up index management: ILM policy, template, data stream (the only kind here)')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const config = loadBeatConfig(def, globals(cmd), true);
        // Loaded on demand: the Elasticsearch client is large and most runs never need it.
        const { runIndexSetup } = await import('./setup.js');
        for (const line of await runIndexSetup(config, def.name, def.version, def.fields ?? [])) print(line);
        print('Index setup finished.');
      } catch (err) {
        exitCode = fail(err);
      }
    });

  for (const spec of def.commands ?? []) {
    program
      .command(spec.name)
      .description(spec.description)
      .action(async (_opts: unknown, cmd: Command) => {
        try {
          const flags = globals(cmd);
          const { createBootstrapLogger } = await import('./runner.js');
          exitCode = await spec.run({ logger: createBootstrapLogger(def.name, flags), stdout: io.stdout });
        } catch (err) {
          exitCode = fail(err);
        }
      });
  }

  const longNames = new Set(['path.home', 'path.config', 'path.data', 'path.logs', 'strict.perms', 'index-management', ...(def.flags ?? []).flatMap((f) => /--([\w.-]+)/.exec(f.flags)?.[1] ?? [])]);
  try {
    await program.parseAsync(normaliseLongFlags(argv, longNames), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof BeatError) return fail(err);
    throw err;
  }
  return exitCode;
}
