import { ToolNameMap } from './tool-name-map';

const CHAT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe('ToolNameMap', () => {
  it('keeps plain names that fit chat and maps them back', () => {
    const names = new ToolNameMap();
    expect(names.register({ name: 'exec_command', kind: 'function' })).toBe('exec_command');
    expect(names.register({ name: 'apply_patch', kind: 'custom' })).toBe('apply_patch');
    expect(names.resolve('exec_command')).toEqual({ name: 'exec_command', kind: 'function' });
    expect(names.resolve('apply_patch')).toEqual({ name: 'apply_patch', kind: 'custom' });
  });

  it('flattens namespaced tools the way Codex does and restores name and namespace', () => {
    const names = new ToolNameMap();
    expect(names.register({ namespace: 'multi_agent_v1', name: 'spawn_agent', kind: 'function' })).toBe(
      'multi_agent_v1__spawn_agent',
    );
    expect(names.register({ namespace: 'mcp__github__', name: 'create_issue', kind: 'function' })).toBe(
      'mcp__github__create_issue',
    );
    expect(names.resolve('mcp__github__create_issue')).toEqual({
      namespace: 'mcp__github__',
      name: 'create_issue',
      kind: 'function',
    });
    expect(names.inNamespace('multi_agent_v1')).toEqual(['multi_agent_v1__spawn_agent']);
  });

  it('gives the same tool the same name on every registration and on every request', () => {
    const tool = { namespace: 'crm', name: 'lookup.customer', kind: 'function' as const };
    const first = new ToolNameMap();
    expect(first.register(tool)).toBe(first.register({ ...tool }));
    expect(new ToolNameMap().register(tool)).toBe(first.register(tool));
  });

  it('makes names chat accepts out of invalid characters, over-long names and collisions, all reversible', () => {
    const names = new ToolNameMap();
    const tools = [
      { name: 'crm__lookup', kind: 'function' as const },
      { namespace: 'crm', name: 'lookup', kind: 'function' as const },
      { namespace: 'files', name: 'read.file', kind: 'function' as const },
      { namespace: 'a'.repeat(40), name: 'b'.repeat(40), kind: 'function' as const },
      { namespace: 'a'.repeat(40), name: 'b'.repeat(41), kind: 'function' as const },
    ];
    const chatNames = tools.map((tool) => names.register(tool));
    expect(chatNames[0]).toBe('crm__lookup');
    expect(chatNames[2]).toBe('files__read_file');
    expect(new Set(chatNames).size).toBe(tools.length);
    for (const [i, chatName] of chatNames.entries()) {
      expect(chatName).toMatch(CHAT_TOOL_NAME);
      expect(names.resolve(chatName)).toEqual(tools[i]);
    }
  });

  it('finds registered tools by name for tool_choice and treats unknown chat names as plain functions', () => {
    const names = new ToolNameMap();
    names.register({ name: 'apply_patch', kind: 'custom' });
    expect(names.find('apply_patch')).toEqual({
      chatName: 'apply_patch',
      tool: { name: 'apply_patch', kind: 'custom' },
    });
    expect(names.find('nope')).toBeUndefined();
    expect(names.resolve('invented')).toEqual({ name: 'invented', kind: 'function' });
  });
});
