import * as path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require('../../eslint-rules/import-direction.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const at = (file: string) => path.join(ROOT, file);

// RuleTester runs the rule on each snippet as if it were the named file; `it` and `describe` are jest's.
RuleTester.it = it;
RuleTester.describe = describe;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never } });

tester.run('loadlab/import-direction', plugin.rules['import-direction'], {
  valid: [
    { filename: at('stacks/runners-stack.ts'), code: "import { Runners } from '../lib/runners/runners';" },
    { filename: at('app/build-app.ts'), code: "import { RunnersStack } from '../stacks/runners-stack';" },
    { filename: at('lib/runners/runners.ts'), code: "import type { RateBudget } from '../ratelimits';" },
    { filename: at('lib/pipeline/event-pipeline.ts'), code: "import { METRIC } from '../contracts/metrics';" },
    { filename: at('functions/shared/metrics.ts'), code: "import { METRIC } from '../../lib/contracts/metrics';" },
    { filename: at('commands/teardown/state.ts'), code: "import { stateKey } from '../../lib/config';" },
    // bin/ only calls a command; a command may use runtime code and the composition root.
    { filename: at('bin/destroy.ts'), code: "import { runDestroy } from '../commands/destroy';" },
    { filename: at('commands/synth.ts'), code: "import { synthesizeEnvironment } from '../app/synth-check';" },
    { filename: at('commands/sim.ts'), code: "import { startSimulator } from '../sim/server';" },
    { filename: at('bin/synth.ts'), code: "import { synthesizeEnvironment } from '../app/synth-check';" },
    { filename: at('stacks/runners-stack.ts'), code: "import { App } from 'cdktf';" },
    // The environment schema names catalogue limits from the facts below it, not from the planner.
    { filename: at('lib/config/limits-schema.ts'), code: "import { LIMIT_CATALOGUE } from '../genesys-facts/limits';" },
  ],
  invalid: [
    // lib/config reading the planner's folder runs back up: no edge is allowed any more.
    {
      filename: at('lib/config/schema.ts'),
      code: "import { LIMIT_CATALOGUE } from '../ratelimits/catalogue';",
      errors: [{ messageId: 'upward' }],
    },
    // A stack importing the composition root, a construct importing a stack.
    {
      filename: at('stacks/loadlab-stack.ts'),
      code: "import { addEnvironmentStacks } from '../app/build-app';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: at('lib/genesys-client/http.ts'),
      code: "import { stateKey } from '../../stacks/loadlab-stack';",
      errors: [{ messageId: 'upward' }],
    },
    { filename: at('lib/runners/runners.ts'), code: "export * from '../../stacks/runners-stack';", errors: [{ messageId: 'upward' }] },
    // Budget importing constructs; foundation importing the budget.
    { filename: at('lib/ratelimits/planner.ts'), code: "import { Runners } from '../runners/runners';", errors: [{ messageId: 'upward' }] },
    { filename: at('lib/cli/args.ts'), code: "import { planBudget } from '../ratelimits';", errors: [{ messageId: 'upward' }] },
    // Runtime and constructs apart, whichever way.
    {
      filename: at('lib/pipeline/event-pipeline.ts'),
      code: "import { METRIC } from '../../functions/shared/metrics';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: at('functions/metadata-worker/event.ts'),
      code: "import { x } from '../../lib/pipeline/event-pipeline';",
      errors: [{ messageId: 'upward' }],
    },
    { filename: at('lib/runners/cmd.ts'), code: "const g = require('../../loadtest/jmx/generate');", errors: [{ messageId: 'upward' }] },
    { filename: at('lib/runners/cmd.ts'), code: "const g = import('../../loadtest/jmx/generate');", errors: [{ messageId: 'upward' }] },
    // A folder in no layer must be placed.
    { filename: at('lib/newthing/x.ts'), code: "import { a } from '../config';", errors: [{ messageId: 'upward' }] },
    // Command logic lives in commands/: neither runtime code nor a command reaches into it from below or into bin/.
    { filename: at('sim/server.ts'), code: "import { runSim } from '../commands/sim';", errors: [{ messageId: 'upward' }] },
    { filename: at('commands/destroy.ts'), code: "import { main } from '../bin/destroy';", errors: [{ messageId: 'upward' }] },
    // lib/plan-review was folded into commands/: it is in no layer any more.
    { filename: at('lib/plan-review/state.ts'), code: "import { stateKey } from '../config';", errors: [{ messageId: 'upward' }] },
  ],
});
