import { Testing } from 'cdktf';

// Registers cdktf's matchers (toHaveResource, toHaveResourceWithProperties, ...).
Testing.setupJest();

// Tests run on Node 20 and 24 while the deployed Lambdas run Node 24: the AWS SDK's Node-version
// warning is noise in test output, as in the commands (lib/cli/run.ts). The CLI test that proves the
// commands silence it spawns them with an environment of its own, without this variable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
