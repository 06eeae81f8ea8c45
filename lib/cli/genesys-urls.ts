import { ConfigError } from '../config/errors';

export interface GenesysUrls {
  readonly apiBase: string;
  readonly loginBase: string;
}

/**
 * The Platform API and login bases a command talks to: `--api-base` / `--login-base` when given
 * (e.g. a local simulator), else the environment's region. Each must be an http(s) URL.
 */
export function genesysUrlsFromFlags(
  flags: { readonly 'api-base'?: string; readonly 'login-base'?: string },
  region: GenesysUrls,
): GenesysUrls {
  const urls = { apiBase: flags['api-base'] ?? region.apiBase, loginBase: flags['login-base'] ?? region.loginBase };
  const problems = (
    [
      ['--api-base', urls.apiBase],
      ['--login-base', urls.loginBase],
    ] as const
  )
    .filter(([, url]) => !/^https?:\/\/[^/\s]+/.test(url))
    .map(([flag, url]) => `${flag} must be an http(s) URL such as https://api.mypurecloud.com (got ${JSON.stringify(url)})`);
  if (problems.length) throw new ConfigError(problems);
  return urls;
}
