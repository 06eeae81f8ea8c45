/**
 * Keeps README.md and docs/*.md true: relative links resolve (files and #anchors), every
 * `npm run <script>` names a script that exists, and the shell blocks marked
 * `<!-- docs-test: offline -->` run, command by command, in a scratch copy of the repository and
 * exit 0. Every other shell command is listed as skipped, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const MARKER = '<!-- docs-test: offline -->';
const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

/** Why a shell command is not run: the first rule that matches. */
const SKIP_RULES: readonly (readonly [RegExp, string])[] = [
  [/<[a-z][^>]*>|…|\.\.\.$/i, 'has placeholders to fill in'],
  [
    /\b(aws|docker|terraform|curl|jq|open)\b|cdktf (deploy|diff|destroy)|GENESYSCLOUD_|s3:\/\/|TOKEN=|^api /,
    'needs AWS or Genesys Cloud credentials, or a tool of yours',
  ],
  [/npm run (loadtest|limits:fetch|destroy|janitor)\b(?!.*--(dry-run|help))/, 'needs AWS or Genesys Cloud credentials'],
  [/--jmeter\b/, 'needs Java 17 and Maven, and takes minutes'],
  [
    /^npm (ci|test)\b|npm run (bench|synth|gen:genesyscloud|lint|typecheck)\b(?!.*--help)|\.ci\/run|npx jest/,
    'takes minutes (CI runs it on its own)',
  ],
  [/^npm run sim\b(?!.*--help)/, 'starts a server that keeps running'],
  [/^jmeter\b|^cd\b|^export\b|^LOADLAB_ENV=\w+ npx cdktf/, 'needs a deployed environment or your own files'],
];

interface ShellCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly offline: boolean;
}

interface Page {
  readonly file: string;
  readonly text: string;
}

function pages(): Page[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs].map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') }));
}

/** Lines outside fenced code blocks, and the shell commands inside them. */
function parse(page: Page): { prose: { line: number; text: string }[]; commands: ShellCommand[]; headings: string[] } {
  const prose: { line: number; text: string }[] = [];
  const commands: ShellCommand[] = [];
  const headings: string[] = [];
  const lines = page.text.split('\n');
  let fence: { shell: boolean; offline: boolean } | undefined;
  let pending = '';
  let pendingLine = 0;
  lines.forEach((raw, i) => {
    const open = /^\s*```\s*([\w-]*)/.exec(raw);
    if (open) {
      if (fence) fence = undefined;
      else {
        let k = i - 1;
        while (k >= 0 && lines[k].trim() === '') k--;
        fence = { shell: SHELL.has(open[1]), offline: k >= 0 && lines[k].trim() === MARKER };
      }
      return;
    }
    if (!fence) {
      prose.push({ line: i + 1, text: raw });
      const h = /^#{1,6}\s+(.*)$/.exec(raw);
      if (h) headings.push(h[1]);
      return;
    }
    if (!fence.shell) return;
    // A comment starts at a # after whitespace; `\` continues the command on the next line.
    const code = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!code && !pending) return;
    if (!pending) pendingLine = i + 1;
    pending = pending ? `${pending} ${code.replace(/\\$/, '').trim()}` : code.replace(/\\$/, '').trim();
    if (!code.endsWith('\\')) {
      commands.push({ file: page.file, line: pendingLine, text: pending.replace(/^\$ /, ''), offline: fence.offline });
      pending = '';
    }
  });
  return { prose, commands, headings };
}

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

const all = pages().map((p) => ({ page: p, ...parse(p) }));

describe('README.md', () => {
  it('stays a short front door: at most 300 lines, reference material in docs/', () => {
    expect(all[0].page.text.split('\n').length).toBeLessThanOrEqual(300);
  });
});

describe('documentation links', () => {
  it.each(all.map((a) => [a.page.file, a] as const))('%s: relative links and anchors resolve', (_file, { page, prose }) => {
    const problems: string[] = [];
    for (const { line, text } of prose) {
      // Inline code is not a link.
      const visible = text.replace(/`[^`]*`/g, '');
      for (const m of visible.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue;
        const [file, anchor] = target.split('#');
        const resolved = file ? path.normalize(path.join(path.dirname(page.file), file)) : page.file;
        if (!existsSync(path.join(ROOT, resolved))) {
          problems.push(`${page.file}:${line}: ${target}: no such file ${resolved}`);
          continue;
        }
        if (anchor) {
          const other = all.find((a) => a.page.file === resolved);
          if (!other) problems.push(`${page.file}:${line}: ${target}: anchors are only checked into README.md and docs/*.md`);
          else if (!other.headings.map(slug).includes(anchor))
            problems.push(`${page.file}:${line}: ${target}: no heading #${anchor} in ${resolved}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('documented commands', () => {
  const commands = all.flatMap((a) => a.commands);
  const scripts = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);

  it('every npm run names a script of package.json', () => {
    const unknown = commands.flatMap((c) =>
      [...c.text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)]
        .map((m) => m[1])
        .filter((s) => !scripts.includes(s))
        .map((s) => `${c.file}:${c.line}: ${s}`),
    );
    expect(unknown).toEqual([]);
  });

  it('offline blocks hold only commands that need nothing but this repository', () => {
    const misplaced = commands
      .filter((c) => c.offline)
      .flatMap((c) => SKIP_RULES.filter(([rule]) => rule.test(c.text)).map(([, why]) => `${c.file}:${c.line}: ${c.text} (${why})`));
    expect(misplaced).toEqual([]);
  });

  it('the README tour is marked offline, so it keeps working', () => {
    const tour = commands.filter((c) => c.file === 'README.md' && c.offline).map((c) => c.text);
    expect(tour).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^npm run budget /),
        expect.stringMatching(/^npm run rehearse /),
        expect.stringMatching(/^npm run jmx /),
        'npm run demo',
      ]),
    );
  });

  describe('run, in a scratch copy of the repository', () => {
    const offline = commands.filter((c) => c.offline);
    const skipped = commands.filter((c) => !c.offline);
    let scratch: string;
    const ran: string[] = [];

    beforeAll(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'loadlab-docs-'));
      const skip = new Set(['node_modules', '.git', 'cdktf.out', 'build', 'coverage']);
      cpSync(ROOT, scratch, { recursive: true, filter: (src) => !skip.has(path.relative(ROOT, src).split(path.sep)[0]) });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
    });

    afterAll(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      const why = (c: ShellCommand): string => SKIP_RULES.find(([rule]) => rule.test(c.text))?.[1] ?? 'not marked offline';
      process.stderr.write(
        [
          `docs commands: ran ${ran.length}, skipped ${skipped.length}`,
          ...ran.map((r) => `  ran      ${r}`),
          ...skipped.map((c) => `  skipped  ${c.file}:${c.line}: ${c.text}  — ${why(c)}`),
          '',
        ].join('\n'),
      );
    });

    it('has something to run', () => {
      expect(offline.length).toBeGreaterThan(5);
    });

    it.each(offline.map((c) => [`${c.file}:${c.line}: ${c.text}`, c] as const))(
      '%s',
      (_name, c) => {
        const started = Date.now();
        const res = spawnSync('bash', ['-c', c.text], {
          cwd: scratch,
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, CI: process.env.CI ?? '', FORCE_COLOR: '0' },
        });
        ran.push(`${c.file}:${c.line}: ${c.text} (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${res.status})`);
        if (res.status !== 0) throw new Error(`exit ${res.status}\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-2000)}`);
        expect(res.status).toBe(0);
        // The command wrote only into the scratch copy: nothing new in the repository's build folder.
        if (existsSync(path.join(ROOT, 'build'))) expect(statSync(path.join(ROOT, 'build')).mtimeMs).toBeLessThan(started);
      },
      150_000,
    );
  });
});
