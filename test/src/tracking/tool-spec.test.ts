import { describe, expect, it } from 'vitest';
import { InvalidSessionIdError } from '../../../src/util/session-id.js';
import { withSession } from '../../../src/tracking/session-context.js';
import { specFor, specOfTool } from '../../../src/tracking/tool-spec.js';

/** The `arguments` object a tool would see, which is what the resolvers are handed. */
function argumentsOf(...args: unknown[]): IArguments {
  function collect(..._args: unknown[]): IArguments {
    // eslint-disable-next-line prefer-rest-params -- the resolvers take a real `arguments` object
    return arguments;
  }
  return collect(...args);
}

describe('specOfTool: the name', () => {
  it('takes options.name first, then the tool\'s name, id or function name', () => {
    function readFile() {}
    expect(specOfTool(readFile, { name: 'read' }).name).toBe('read');
    expect(specOfTool(readFile, {}).name).toBe('readFile');
    const mcpTool = { name: 'mcp_tool', id: 'other', execute: () => 1 };
    const opencodeTool = { id: 'bash', execute: () => 1 };
    expect(specOfTool(mcpTool, {}).name).toBe('mcp_tool');
    expect(specOfTool(opencodeTool, {}).name).toBe('bash');
  });

  it('throws when there is no name to be found', () => {
    expect(() => specOfTool({ execute: () => 1 }, {})).toThrow(/no name/);
    expect(() => specOfTool(() => 1, {})).toThrow(/no name/); // an arrow function passed inline has name ''
    expect(() => specOfTool({ name: 42, execute: () => 1 } as never, {})).toThrow(/no name/);
    expect(() => specFor('', {})).toThrow(/no name/);
  });
});

describe('specFor: what does not change between calls', () => {
  it('is a tool call with the GenAI span name by default', () => {
    const spec = specFor('grep', {});
    expect(spec).toMatchObject({ name: 'grep', spanName: 'execute_tool grep', operationType: 'tool-execution', isToolCall: true, toolType: 'function' });
    expect(spec.extraAttributes).toBeUndefined();
  });

  it('names the span after any other operation type, which is not a tool call', () => {
    const spec = specFor('readFile', { operationType: 'file-io', toolType: 'datastore' });
    expect(spec).toMatchObject({ spanName: 'file-io readFile', operationType: 'file-io', isToolCall: false, toolType: 'datastore' });
  });

  it('copies the extra attributes, and drops an empty set', () => {
    const attributes = { 'app.team': 'search' };
    const spec = specFor('grep', { attributes });
    attributes['app.team'] = 'changed later';
    expect(spec.extraAttributes).toEqual({ 'app.team': 'search' });
    expect(specFor('grep', { attributes: {} }).extraAttributes).toBeUndefined();
  });

  it('has one frozen set of success metric attributes, without a session', () => {
    const spec = specFor('grep', { sessionId: 'ses_1' });
    expect(spec.metricAttributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'toolperf.status': 'ok' });
    expect(Object.isFrozen(spec.metricAttributes)).toBe(true);
  });
});

describe('specFor: the session of a call', () => {
  it('uses a fixed session ID, checked once when the spec is made', () => {
    expect(specFor('x', { sessionId: 'ses_fixed' }).sessionOf(argumentsOf())).toBe('ses_fixed');
    expect(() => specFor('x', { sessionId: '../etc' })).toThrow(InvalidSessionIdError);
  });

  it('reads it from the call\'s arguments, falling back to the withSession session', () => {
    const spec = specFor('bash', { sessionId: (_args: unknown, ctx: { sessionID?: string }) => ctx.sessionID } as never);
    expect(spec.sessionOf(argumentsOf({}, { sessionID: 'ses_ctx' }))).toBe('ses_ctx');
    expect(withSession('ses_ambient', () => spec.sessionOf(argumentsOf({}, {})))).toBe('ses_ambient');
    expect(spec.sessionOf(argumentsOf({}, {}))).toBeUndefined();
  });

  it('defaults to the withSession session at the time of the call', () => {
    const spec = specFor('x', {});
    expect(withSession('ses_a', () => spec.sessionOf(argumentsOf()))).toBe('ses_a');
    expect(spec.sessionOf(argumentsOf())).toBeUndefined();
  });
});

describe('specFor: the call ID of a call', () => {
  it('reads the AI SDK toolCallId, else the OpenCode callID, of the second argument', () => {
    const { callIdOf } = specFor('x', {});
    expect(callIdOf(argumentsOf({}, { toolCallId: 'call_ai', callID: 'call_oc' }))).toBe('call_ai');
    expect(callIdOf(argumentsOf({}, { callID: 'call_oc' }))).toBe('call_oc');
    expect(callIdOf(argumentsOf({}, { toolCallId: 7 }))).toBeUndefined();
    expect(callIdOf(argumentsOf({ toolCallId: 'in the input' }))).toBeUndefined();
    expect(callIdOf(argumentsOf({}, null))).toBeUndefined();
  });

  it('uses the callId option with every argument of the call', () => {
    const { callIdOf } = specFor('x', { callId: (...args: unknown[]) => args.join('+') });
    expect(callIdOf(argumentsOf('a', 'b', 'c'))).toBe('a+b+c');
  });
});
