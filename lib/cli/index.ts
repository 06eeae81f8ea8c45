export { numberOption, parseArgs, UsageError, type OptionSpec, type OptionValues, type ParsedArgs } from './args';
export { runCli, runMain, type CliIo, type CliMain, type CliOptions } from './run';
export { genesysUrlsFromFlags, type GenesysUrls } from './genesys-urls';
