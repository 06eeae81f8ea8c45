// Brings cdktf's jest matcher types (toHaveResourceWithProperties, ...) into every test file;
// jest.setup.ts registers the matchers themselves.
import 'cdktf/lib/testing/adapters/jest';
