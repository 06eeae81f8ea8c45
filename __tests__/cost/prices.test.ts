import { PRICE_KEYS } from '../../lib/config/cost-schema';
import { ConfigError } from '../../lib/config';
import { PRICED_REGIONS, priceOf, priceTable } from '../../lib/cost/prices';
import { exampleInput, loadFrom } from '../helpers/env';

describe('price tables', () => {
  const required = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'us-gov-east-1'];

  it.each(required)('%s has every line, each with an AWS pricing page, a date and a confidence', (region) => {
    expect(PRICED_REGIONS).toContain(region);
    const table = priceTable(region);
    expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const key of PRICE_KEYS) {
      const line = table.lines[key];
      expect(line.usd).toBeGreaterThan(0);
      expect(line.source).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//);
      expect(line.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['published', 'unconfirmed', 'unverified']).toContain(line.confidence);
    }
  });

  it('states the us-east-1 figures as published, Spot as unconfirmed, other regions as unverified', () => {
    const east = priceTable('us-east-1');
    expect(east.lines.fargateVcpuHour).toMatchObject({ usd: 0.04048, confidence: 'published' });
    expect(east.lines.fargateGbHour).toMatchObject({ usd: 0.004445, confidence: 'published' });
    expect(east.lines.fargateSpotVcpuHour.confidence).toBe('unconfirmed');
    const gov = priceTable('us-gov-west-1');
    expect(Object.values(gov.lines).every((l) => l.confidence === 'unverified')).toBe(true);
    // Figures the same as us-east-1's were copied, not read: unverified too.
    expect(priceTable('us-west-2').lines.fargateVcpuHour.confidence).toBe('unverified');
    expect(gov.lines.s3GbMonth.source).toBe('https://aws.amazon.com/govcloud-us/pricing/');
  });

  it('prices per unit from the per-quantity figure', () => {
    const east = priceTable('us-east-1');
    expect(priceOf(east.lines.s3PutRequests, 2000)).toBeCloseTo(0.01, 10);
    expect(priceOf(east.lines.stepFunctionsTransitions, 1000)).toBeCloseTo(0.025, 10);
  });

  it('merges partial overrides over the region and marks them', () => {
    const table = priceTable('eu-west-1', { fargateVcpuHour: 0.05 });
    expect(table.lines.fargateVcpuHour).toMatchObject({ usd: 0.05, confidence: 'override', source: 'environment file cost.prices' });
    expect(table.lines.fargateGbHour).toEqual(priceTable('eu-west-1').lines.fargateGbHour);
    expect(table.overridden).toEqual(['fargateVcpuHour']);
  });

  it('refuses a region with no table unless cost.prices sets every line, naming cost.prices', () => {
    expect(() => priceTable('sa-east-1', { fargateVcpuHour: 0.06 })).toThrow(ConfigError);
    expect(() => priceTable('sa-east-1')).toThrow(/^cost\.prices: no price table for aws\.region sa-east-1 .*missing: fargateVcpuHour,/);
    const all = Object.fromEntries(PRICE_KEYS.map((k) => [k, 1]));
    expect(priceTable('sa-east-1', all).lines.kmsKeyMonth.usd).toBe(1);
  });

  it('validates cost.prices by field name in the environment file', () => {
    const input = { ...exampleInput(), cost: { prices: { fargateVcpuHours: 0.05 } } };
    expect(() => loadFrom({ example: input }, 'example')).toThrow(/cost\.prices/);
    const negative = { ...exampleInput(), cost: { prices: { fargateVcpuHour: -1 } } };
    expect(() => loadFrom({ example: negative }, 'example')).toThrow(/cost\.prices\.fargateVcpuHour/);
  });
});
