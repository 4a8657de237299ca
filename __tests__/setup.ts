// cdktf's jest matchers (toHaveResourceWithProperties, ...): this import declares their
// types; setupJest() below registers them.
import type {} from 'cdktf/lib/testing/adapters/jest';

// cdktf records a creation stack trace for every token; under jest each one is mapped
// through source maps, which was half the CPU of a synth. The app skips them too
// (main.ts) and they only show in cdktf's errors about unresolvable tokens: SSMB_DEBUG
// keeps them. Patched in this file's module registry, which the test file shares, and
// before cdktf itself loads: its modules create tokens as they load.
if (!process.env.SSMB_DEBUG) {
  const trace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: unknown) => string[] };
  trace.captureStackTrace = () => [];
}

const { Testing } = require('cdktf') as typeof import('cdktf');
Testing.setupJest();

// The handlers run on nodejs22.x in Lambda; the SDK's "Node 20 is going away" notice
// concerns only an older test machine, and would repeat in every handler suite.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
