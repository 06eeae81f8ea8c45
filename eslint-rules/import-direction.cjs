/**
 * ESLint rule `loadlab/import-direction`: imports run one way,
 *   config -> budget -> constructs -> stacks -> app (composition root) -> commands -> entry points,
 * and runtime code (Lambda workers, JMeter tooling, the simulator, the clients they share) sits
 * beside the constructs: neither side imports the other; both may import what lies below them.
 * Relative imports are resolved to a project path and both ends placed in a layer. A file in a
 * folder no layer names is an error too, so a new folder is placed on purpose.
 */
const path = require('node:path');

/** Lower rank first; `side` separates the two kinds of code that share a rank. */
const LAYERS = [
  {
    name: 'project files',
    rank: 0,
    paths: ['cdktf.json', 'package.json', 'tsconfig.json', 'environments', 'ci-identities', 'examples', 'docs', '.github'],
  },
  { name: 'foundation', rank: 0, paths: ['lib/config', 'lib/genesys-facts', 'lib/random', 'lib/contracts', 'lib/cli'] },
  { name: 'budget', rank: 1, paths: ['lib/ratelimits', 'lib/cost'] },
  {
    name: 'constructs',
    rank: 2,
    side: 'infrastructure',
    paths: [
      'lib/iam',
      'lib/ci',
      'lib/lambda',
      'lib/archive',
      'lib/genesys-tenant',
      'lib/secrets',
      'lib/pipeline',
      'lib/runners',
      'lib/tagging',
      'lib/guards',
      'lib/policy',
      '.gen',
    ],
  },
  { name: 'runtime', rank: 2, side: 'runtime', paths: ['lib/genesys-client', 'functions', 'loadtest', 'sim', 'rehearsal'] },
  { name: 'stacks', rank: 3, side: 'infrastructure', paths: ['stacks'] },
  { name: 'composition root', rank: 4, side: 'infrastructure', paths: ['app'] },
  // Every command's logic (parsing, help, the work); entry points only call it.
  { name: 'commands', rank: 5, paths: ['commands'] },
  {
    name: 'entry points',
    rank: 6,
    paths: ['main.ts', 'bin', 'bench', 'scripts', '__tests__', 'jest.setup.ts', 'eslint-rules'],
  },
];

const within = (file, prefix) => file === prefix || file.startsWith(`${prefix}/`) || file.replace(/\.[cm]?[jt]s$/, '') === prefix;

function layerOf(file) {
  let best;
  for (const layer of LAYERS) {
    for (const prefix of layer.paths) {
      if (within(file, prefix) && (!best || prefix.length > best.prefix.length)) best = { layer, prefix };
    }
  }
  return best;
}

function violation(from, to) {
  const a = layerOf(from);
  const b = layerOf(to);
  if (!a) return `${from} is in no layer of eslint-rules/import-direction.cjs: add its folder to one`;
  if (!b) return `${to} is in no layer of eslint-rules/import-direction.cjs: add its folder to one`;
  if (b.layer.rank > a.layer.rank) {
    return `${from} (${a.layer.name}) imports ${to} (${b.layer.name}): imports run config -> budget -> constructs -> stacks -> app -> commands -> entry points; move the shared code down`;
  }
  if (a.layer.side && b.layer.side && a.layer.side !== b.layer.side) {
    return `${from} (${a.layer.name}) imports ${to} (${b.layer.name}): runtime code and constructs do not import each other; share a contract in lib/contracts`;
  }
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports run one way: config -> budget -> constructs -> stacks -> app; runtime code apart' },
    schema: [],
    messages: { upward: '{{message}}' },
  },
  create(context) {
    const root = context.cwd;
    const filename = context.filename;
    const from = path.relative(root, filename).split(path.sep).join('/');
    if (from.startsWith('..') || path.isAbsolute(from)) return {};
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = path
        .relative(root, path.resolve(path.dirname(filename), source.value))
        .split(path.sep)
        .join('/');
      const message = violation(from, to);
      if (message) context.report({ node, messageId: 'upward', data: { message } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportEqualsDeclaration: (node) => check(node, node.moduleReference && node.moduleReference.expression),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal')
          check(node, node.arguments[0]);
      },
    };
  },
};

module.exports = { rules: { 'import-direction': rule }, LAYERS, violation };
