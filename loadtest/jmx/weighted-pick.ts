/** Weighted pick as one Groovy expression for the Switch Controller (no commas: JMeter would split on them). */
export function weightedPickExpression(
  weights: readonly number[],
  producerFor: readonly (number | undefined)[],
  needs: readonly string[][],
): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cuts = weights.slice(0, -1).map((w) => (acc += w));
  let pick = String(weights.length - 1);
  for (let i = cuts.length - 1; i >= 0; i--) pick = `(r < ${cuts[i]} ? ${i} : ${pick})`;
  const guards = needs
    .map((vars, i) => ({ vars, i, producer: producerFor[i] }))
    .filter((g) => g.producer !== undefined && g.vars.length > 0)
    .map((g) => `if (i == ${g.i} && (${g.vars.map((v) => `vars.get('${v}') == null`).join(' || ')})) i = ${g.producer};`);
  const expr = `def r = java.util.concurrent.ThreadLocalRandom.current().nextDouble() * ${total}; int i = ${pick}; ${guards.join(' ')} i`;
  if (expr.includes(',')) throw new Error('internal: the switch expression must not contain commas');
  return '${__groovy(' + expr + ')}';
}
