// cdktf's jest matchers (toHaveResourceWithProperties, ...): the import declares their
// types, setupJest() registers them.
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();

// The handlers run on nodejs22.x in Lambda; the SDK's "Node 20 is going away" notice
// concerns only an older test machine, and would repeat in every handler suite.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
