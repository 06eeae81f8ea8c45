import { ConfigError } from '../../lib/config';
import { limitAppliesTo, resolveLimits, sameTemplate } from '../../lib/ratelimits';
import { LIMIT_CATALOGUE, TOKEN_LIMIT } from '../../lib/genesys-facts/limits';
import { exampleInput, loadFrom } from '../helpers/env';

describe('limit catalogue', () => {
  it('holds the published defaults with their scope and source', () => {
    const byName = Object.fromEntries(LIMIT_CATALOGUE.map((l) => [l.name, l]));
    expect(byName['client.credentials.token.rate.per.minute']).toMatchObject({ value: 300, scope: 'token', namespace: 'platform.api' });
    expect(byName['token.rate.per.minute']).toMatchObject({ value: 300, scope: 'token' });
    expect(byName['org.app.user.rate.per.minute']).toMatchObject({ value: 3000, scope: 'client' });
    expect(byName['recording.bulk.jobs.concurrent.max']).toMatchObject({ value: 2, scope: 'org', kind: 'concurrency' });
    expect(byName['event.orchestration.workflow.invocations.per.minute'].value).toBe(6000);
    expect(byName['notifications.channels.per.user.app.max'].value).toBe(20);
    for (const l of LIMIT_CATALOGUE) {
      expect(l.source.length).toBeGreaterThan(5);
      expect(l.value).toBeGreaterThan(0);
    }
    expect(new Set(LIMIT_CATALOGUE.map((l) => l.name)).size).toBe(LIMIT_CATALOGUE.length);
  });

  it('applies overrides and remembers the default', () => {
    const limits = resolveLimits({ [TOKEN_LIMIT]: 900 });
    expect(limits.find((l) => l.name === TOKEN_LIMIT)).toMatchObject({ value: 900, defaultValue: 300, overridden: true });
    expect(limits.find((l) => l.name === 'token.rate.per.minute')).toMatchObject({ value: 300, overridden: false });
  });

  it('refuses overrides of unknown limits, naming the field and the known names', () => {
    expect(() => resolveLimits({ 'token.rate.per.minut': 300 })).toThrow(ConfigError);
    expect(() => resolveLimits({ 'token.rate.per.minut': 300 })).toThrow(
      /genesys\.limits\.token\.rate\.per\.minut is not a limit .*client\.credentials\.token\.rate\.per\.minute/,
    );
    expect(() => resolveLimits({ [TOKEN_LIMIT]: 0 })).toThrow(
      'genesys.limits.client.credentials.token.rate.per.minute must be a positive integer (got 0)',
    );
  });

  it('the environment file rejects a misspelt limit at load time', () => {
    const raw: any = exampleInput();
    raw.genesys.limits = { 'org.app.user.rate.per.min': 5000 };
    expect(() => loadFrom({ example: raw }, 'example')).toThrow(
      /genesys\.limits\.org\.app\.user\.rate\.per\.min must name a limit in lib\/genesys-facts\/limits\.ts/,
    );
  });

  it('matches endpoint templates against concrete paths', () => {
    expect(sameTemplate('/api/v2/scripts/{scriptId}', '/api/v2/scripts/abc')).toBe(true);
    expect(sameTemplate('/api/v2/scripts/{scriptId}', '/api/v2/scripts')).toBe(false);
    const jobs = LIMIT_CATALOGUE.find((l) => l.name === 'recording.bulk.jobs.concurrent.max')!;
    expect(limitAppliesTo(jobs, 'post', '/api/v2/recording/jobs')).toBe(true);
    expect(limitAppliesTo(jobs, 'PUT', '/api/v2/recording/jobs/123')).toBe(true);
    expect(limitAppliesTo(jobs, 'GET', '/api/v2/recording/jobs')).toBe(false);
  });
});
