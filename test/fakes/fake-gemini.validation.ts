/**
 * The request checks of FakeGeminiServer: each rule is one the real Generative Language API enforces with
 * a 400 INVALID_ARGUMENT, worded as closely as known. A check returns the error message, or undefined.
 */

export interface ValidationOptions {
  /** Gemini 3 behaviour: every model turn's first functionCall part must carry its `thoughtSignature`. */
  requireThoughtSignatures: boolean;
  /** Whether `fileData.fileUri` may be any http(s) URL, or only a Files API URI. */
  allowExternalFileUris: boolean;
}

type Json = Record<string, unknown>;

const REQUEST_KEYS = [
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'generationConfig',
  'safetySettings',
  'cachedContent',
];
const CONTENT_KEYS = ['role', 'parts'];
const PART_DATA_KEYS = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
];
const PART_KEYS = [...PART_DATA_KEYS, 'thought', 'thoughtSignature', 'videoMetadata', 'partMetadata'];
const TOOL_KEYS = ['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext'];
const DECLARATION_KEYS = [
  'name',
  'description',
  'parameters',
  'parametersJsonSchema',
  'response',
  'responseJsonSchema',
  'behavior',
];
const SCHEMA_KEYS = [
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
];
const SCHEMA_TYPES = ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'];
const FORMATS: Record<string, string[]> = {
  STRING: ['enum', 'date-time'],
  INTEGER: ['int32', 'int64'],
  NUMBER: ['float', 'double'],
};
const GENERATION_KEYS = [
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
  'responseModalities',
  'mediaResolution',
];
const MIME_TYPES = ['text/plain', 'application/json', 'text/x.enum'];
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const unknownField = (key: string, at?: string) =>
  `Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ''}: Cannot find field.`;
const field = (path: string, problem: string) => `* GenerateContentRequest.${path}: ${problem}\n`;

export function validateGenerateContent(body: unknown, options: ValidationOptions): string | undefined {
  if (!isObject(body)) return 'Invalid JSON payload received. Expected an object.';
  return (
    unknownKeys(body, REQUEST_KEYS) ??
    validateContents(body.contents, options) ??
    validateSystemInstruction(body.systemInstruction) ??
    validateTools(body.tools) ??
    validateToolConfig(body.toolConfig, declaredNames(body.tools)) ??
    validateGenerationConfig(body.generationConfig)
  );
}

export function validateBatchEmbed(body: unknown, model: string): string | undefined {
  if (!isObject(body)) return 'Invalid JSON payload received. Expected an object.';
  const unknown = unknownKeys(body, ['requests']);
  if (unknown) return unknown;
  if (!Array.isArray(body.requests) || body.requests.length === 0)
    return '* BatchEmbedContentsRequest.requests: requests is not specified\n';
  for (const [i, request] of body.requests.entries()) {
    if (!isObject(request)) return `Invalid value at 'requests[${i}]'`;
    const bad = unknownKeys(
      request,
      ['model', 'content', 'taskType', 'title', 'outputDimensionality'],
      `requests[${i}]`,
    );
    if (bad) return bad;
    if (request.model !== `models/${model}`) {
      return `Model names should match the model in the URL: "models/${model}" but requests[${i}].model is ${JSON.stringify(request.model)}.`;
    }
    const parts = isObject(request.content) ? request.content.parts : undefined;
    if (!Array.isArray(parts) || parts.length === 0)
      return `* BatchEmbedContentsRequest.requests[${i}].content.parts: contents.parts must not be empty.\n`;
    if (!parts.every((part) => isObject(part) && typeof part.text === 'string' && part.text !== '')) {
      return `* BatchEmbedContentsRequest.requests[${i}].content.parts: only non-empty text parts can be embedded\n`;
    }
    const dims = request.outputDimensionality;
    if (dims !== undefined && !(Number.isInteger(dims) && (dims as number) > 0))
      return `Invalid value at 'requests[${i}].output_dimensionality'`;
  }
  return undefined;
}

function validateContents(contents: unknown, options: ValidationOptions): string | undefined {
  if (!Array.isArray(contents) || contents.length === 0) return field('contents', 'contents is not specified');
  for (const [i, content] of contents.entries()) {
    if (!isObject(content)) return `Invalid value at 'contents[${i}]'`;
    const problem =
      unknownKeys(content, CONTENT_KEYS, `contents[${i}]`) ?? validateContent(content, i, contents[i - 1], options);
    if (problem) return problem;
  }
  return undefined;
}

function validateContent(content: Json, i: number, previous: unknown, options: ValidationOptions): string | undefined {
  const role = content.role ?? 'user';
  if (role !== 'user' && role !== 'model') return 'Please use a valid role: user, model.';
  if (!Array.isArray(content.parts) || content.parts.length === 0)
    return field(`contents[${i}].parts`, 'contents.parts must not be empty.');
  for (const [j, part] of content.parts.entries()) {
    const problem = validatePart(part, `contents[${i}].parts[${j}]`, role, options);
    if (problem) return problem;
  }
  const calls = content.parts.filter((part: Json) => isObject(part.functionCall));
  if (calls.length > 0) {
    if (!isObject(previous) || (previous.role ?? 'user') !== 'user') {
      return 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.';
    }
    if (options.requireThoughtSignatures && typeof calls[0].thoughtSignature !== 'string') {
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((calls[0].functionCall as Json).name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    }
  }
  const responses = content.parts.filter((part: Json) => isObject(part.functionResponse));
  if (responses.length > 0) {
    const previousCalls =
      isObject(previous) && previous.role === 'model' && Array.isArray(previous.parts)
        ? previous.parts
            .filter((part: Json) => isObject(part.functionCall))
            .map((part: Json) => (part.functionCall as Json).name)
        : [];
    if (previousCalls.length === 0)
      return 'Please ensure that function response turn comes immediately after a function call turn.';
    if (previousCalls.length !== responses.length) {
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
    for (const response of responses) {
      const name = (response.functionResponse as Json).name;
      if (!previousCalls.includes(name)) {
        return `Function response name "${String(name)}" does not match any function call of the previous turn (${previousCalls.join(', ')}).`;
      }
    }
  }
  return undefined;
}

function validatePart(part: unknown, path: string, role: string, options: ValidationOptions): string | undefined {
  if (!isObject(part)) return `Invalid value at '${path}'`;
  const unknown = unknownKeys(part, PART_KEYS, path);
  if (unknown) return unknown;
  const data = PART_DATA_KEYS.filter((key) => part[key] !== undefined);
  if (data.length === 0) return field(`${path}.data`, "required oneof field 'data' must have one initialized field");
  if (data.length > 1)
    return `Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`;
  if (part.thought !== undefined && typeof part.thought !== 'boolean')
    return `Invalid value at '${path}.thought' (TYPE_BOOL)`;
  if (
    part.thoughtSignature !== undefined &&
    !(typeof part.thoughtSignature === 'string' && BASE64.test(part.thoughtSignature))
  ) {
    return `Invalid value at '${path}.thought_signature' (TYPE_BYTES), Base64 decoding failed`;
  }
  if (part.text !== undefined) {
    if (typeof part.text !== 'string') return `Invalid value at '${path}.text' (TYPE_STRING)`;
    if (part.text === '')
      return 'Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.';
  }
  if (part.inlineData !== undefined) return validateInlineData(part.inlineData, `${path}.inline_data`);
  if (part.fileData !== undefined) return validateFileData(part.fileData, `${path}.file_data`, options);
  if (part.functionCall !== undefined) {
    const call = part.functionCall;
    if (role !== 'model') return 'Please ensure that functionCall parts are only in model turns.';
    if (!isObject(call)) return `Invalid value at '${path}.function_call'`;
    return (
      unknownKeys(call, ['name', 'args', 'id'], `${path}.function_call`) ??
      (typeof call.name === 'string' && call.name
        ? undefined
        : field(`${path}.function_call.name`, 'Name cannot be empty.')) ??
      (call.args === undefined || isObject(call.args)
        ? undefined
        : `Invalid value at '${path}.function_call.args' (type.googleapis.com/google.protobuf.Struct)`)
    );
  }
  if (part.functionResponse !== undefined) {
    const response = part.functionResponse;
    if (role !== 'user') return 'Please ensure that functionResponse parts are only in user turns.';
    if (!isObject(response)) return `Invalid value at '${path}.function_response'`;
    return (
      unknownKeys(
        response,
        ['name', 'response', 'id', 'parts', 'willContinue', 'scheduling'],
        `${path}.function_response`,
      ) ??
      (typeof response.name === 'string' && response.name
        ? undefined
        : field(`${path}.function_response.name`, 'Name cannot be empty.')) ??
      (isObject(response.response)
        ? undefined
        : `Invalid value at '${path}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`)
    );
  }
  return undefined;
}

function validateInlineData(blob: unknown, path: string): string | undefined {
  if (!isObject(blob)) return `Invalid value at '${path}'`;
  const unknown = unknownKeys(blob, ['mimeType', 'data'], path);
  if (unknown) return unknown;
  if (typeof blob.mimeType !== 'string' || !blob.mimeType.includes('/'))
    return field(`${path}.mime_type`, 'Unsupported MIME type');
  if (typeof blob.data !== 'string' || blob.data === '' || !BASE64.test(blob.data))
    return `Invalid value at '${path}.data' (TYPE_BYTES), Base64 decoding failed`;
  return undefined;
}

function validateFileData(file: unknown, path: string, options: ValidationOptions): string | undefined {
  if (!isObject(file)) return `Invalid value at '${path}'`;
  const unknown = unknownKeys(file, ['mimeType', 'fileUri'], path);
  if (unknown) return unknown;
  if (typeof file.fileUri !== 'string' || !file.fileUri) return field(`${path}.file_uri`, 'file_uri is not specified');
  if (typeof file.mimeType !== 'string' || !file.mimeType.includes('/'))
    return field(`${path}.mime_type`, 'mime_type is required for file_data');
  const filesApi = file.fileUri.startsWith('https://generativelanguage.googleapis.com/');
  if (!filesApi && !options.allowExternalFileUris) return `Invalid or unsupported file uri: ${file.fileUri}`;
  return undefined;
}

function validateSystemInstruction(system: unknown): string | undefined {
  if (system === undefined) return undefined;
  if (!isObject(system)) return "Invalid value at 'system_instruction'";
  const unknown = unknownKeys(system, CONTENT_KEYS, 'system_instruction');
  if (unknown) return unknown;
  if (!Array.isArray(system.parts) || system.parts.length === 0)
    return field('system_instruction.parts', 'contents.parts must not be empty.');
  for (const [j, part] of system.parts.entries()) {
    const problem = validatePart(part, `system_instruction.parts[${j}]`, 'user', {
      requireThoughtSignatures: false,
      allowExternalFileUris: false,
    });
    if (problem) return problem;
  }
  return undefined;
}

function validateTools(tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return "Invalid value at 'tools'";
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return `Invalid value at 'tools[${i}]'`;
    const unknown = unknownKeys(tool, TOOL_KEYS, `tools[${i}]`);
    if (unknown) return unknown;
    if (tool.functionDeclarations === undefined) continue;
    if (!Array.isArray(tool.functionDeclarations)) return `Invalid value at 'tools[${i}].function_declarations'`;
    for (const [j, declaration] of tool.functionDeclarations.entries()) {
      const path = `tools[${i}].function_declarations[${j}]`;
      if (!isObject(declaration)) return `Invalid value at '${path}'`;
      const problem =
        unknownKeys(declaration, DECLARATION_KEYS, path) ??
        (typeof declaration.name === 'string' && FUNCTION_NAME.test(declaration.name)
          ? undefined
          : field(
              `${path}.name`,
              'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.',
            )) ??
        (names.has(declaration.name as string)
          ? `Duplicate function declaration found: ${String(declaration.name)}`
          : undefined) ??
        (declaration.parameters === undefined
          ? undefined
          : validateSchema(declaration.parameters, `${path}.parameters`));
      if (problem) return problem;
      names.add(declaration.name as string);
    }
  }
  return undefined;
}

/** Gemini's proto `Schema`: an OpenAPI subset that rejects JSON Schema's other keys outright. */
export function validateSchema(schema: unknown, path: string): string | undefined {
  if (!isObject(schema))
    return `Invalid value at '${path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)`;
  const unknown = unknownKeys(schema, SCHEMA_KEYS, path);
  if (unknown) return unknown;
  const type =
    schema.type === undefined
      ? 'TYPE_UNSPECIFIED'
      : typeof schema.type === 'string'
        ? schema.type.toUpperCase()
        : undefined;
  if (!type || !SCHEMA_TYPES.includes(type)) {
    return `Invalid JSON payload received. Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(schema.type)}`;
  }
  if (schema.format !== undefined && !(FORMATS[type] ?? []).includes(schema.format as string)) {
    return field(
      `${path}.format`,
      `only ${(FORMATS[type] ?? []).map((f) => `'${f}'`).join(' and ') || 'no formats'} are supported for ${type} type`,
    );
  }
  if (schema.enum !== undefined) {
    if (type !== 'STRING') return field(`${path}.enum`, 'only allowed for STRING type');
    if (!Array.isArray(schema.enum) || !schema.enum.every((value) => typeof value === 'string'))
      return `Invalid value at '${path}.enum' (TYPE_STRING)`;
  }
  if (type === 'ARRAY' && schema.items === undefined) return field(`${path}.items`, 'missing field.');
  if (schema.items !== undefined) {
    const problem = validateSchema(schema.items, `${path}.items`);
    if (problem) return problem;
  }
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) return `Invalid value at '${path}.properties'`;
    if (type === 'OBJECT' && Object.keys(schema.properties).length === 0)
      return field(`${path}.properties`, 'should be non-empty for OBJECT type');
    for (const [name, property] of Object.entries(schema.properties)) {
      const problem = validateSchema(property, `${path}.properties[${name}].value`);
      if (problem) return problem;
    }
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required)) return `Invalid value at '${path}.required'`;
    const declared = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    for (const [k, name] of schema.required.entries()) {
      if (!declared.includes(name)) return field(`${path}.required[${k}]`, 'property is not defined');
    }
  }
  if (schema.anyOf !== undefined) {
    if (!Array.isArray(schema.anyOf)) return `Invalid value at '${path}.any_of'`;
    for (const [k, branch] of schema.anyOf.entries()) {
      const problem = validateSchema(branch, `${path}.any_of[${k}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function validateToolConfig(config: unknown, declared: string[]): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return "Invalid value at 'tool_config'";
  const unknown = unknownKeys(config, ['functionCallingConfig', 'retrievalConfig'], 'tool_config');
  if (unknown) return unknown;
  const calling = config.functionCallingConfig;
  if (calling === undefined) return undefined;
  if (!isObject(calling)) return "Invalid value at 'tool_config.function_calling_config'";
  const path = 'tool_config.function_calling_config';
  const bad = unknownKeys(calling, ['mode', 'allowedFunctionNames'], path);
  if (bad) return bad;
  if (
    calling.mode !== undefined &&
    !['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(calling.mode as string)
  ) {
    return `Invalid value at '${path}.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(calling.mode)}`;
  }
  const allowed = calling.allowedFunctionNames;
  if (allowed === undefined) return undefined;
  if (calling.mode !== 'ANY' && calling.mode !== 'VALIDATED')
    return field(`${path}.allowed_function_names`, 'only allowed when mode is ANY or VALIDATED');
  if (!Array.isArray(allowed)) return `Invalid value at '${path}.allowed_function_names'`;
  const undeclared = allowed.find((name) => !declared.includes(name));
  return undeclared === undefined
    ? undefined
    : field(`${path}.allowed_function_names`, `"${String(undeclared)}" is not a declared function`);
}

function validateGenerationConfig(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return "Invalid value at 'generation_config'";
  const path = 'generation_config';
  const unknown = unknownKeys(config, GENERATION_KEYS, path);
  if (unknown) return unknown;
  const range = (key: string, min: number, max: number, integer = false) => {
    const value = config[key];
    if (value === undefined) return undefined;
    const ok = typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value));
    return ok
      ? undefined
      : field(`${path}.${snake(key)}`, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  };
  const problem =
    range('temperature', 0, 2) ??
    range('topP', 0, 1) ??
    range('topK', 1, 1_000, true) ??
    range('candidateCount', 1, 8, true) ??
    range('maxOutputTokens', 1, 1_000_000, true) ??
    range('presencePenalty', -2, 2) ??
    range('frequencyPenalty', -2, 2) ??
    range('seed', -(2 ** 31), 2 ** 31 - 1, true);
  if (problem) return problem;
  const stops = config.stopSequences;
  if (stops !== undefined) {
    if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string'))
      return `Invalid value at '${path}.stop_sequences' (TYPE_STRING)`;
    if (stops.length > 5)
      return field(`${path}.stop_sequences`, 'the number of stop_sequences must be less than or equal to 5');
  }
  const mime = config.responseMimeType;
  if (mime !== undefined && !MIME_TYPES.includes(mime as string)) {
    return `* GenerateContentRequest.${path}.response_mime_type: allowed mimetypes are ${MIME_TYPES.map((m) => `\`${m}\``).join(', ')}.\n`;
  }
  if (config.responseSchema !== undefined) {
    if (mime !== 'application/json' && mime !== 'text/x.enum') {
      return field(
        `${path}.response_schema`,
        'response_mime_type must be set to `application/json` or `text/x.enum` for response_schema',
      );
    }
    const bad = validateSchema(config.responseSchema, `${path}.response_schema`);
    if (bad) return bad;
  }
  const thinking = config.thinkingConfig;
  if (thinking !== undefined) {
    if (!isObject(thinking)) return `Invalid value at '${path}.thinking_config'`;
    const bad = unknownKeys(
      thinking,
      ['thinkingBudget', 'includeThoughts', 'thinkingLevel'],
      `${path}.thinking_config`,
    );
    if (bad) return bad;
    if (thinking.thinkingBudget !== undefined && !Number.isInteger(thinking.thinkingBudget))
      return `Invalid value at '${path}.thinking_config.thinking_budget' (TYPE_INT32)`;
    if (thinking.includeThoughts !== undefined && typeof thinking.includeThoughts !== 'boolean')
      return `Invalid value at '${path}.thinking_config.include_thoughts' (TYPE_BOOL)`;
  }
  return undefined;
}

function declaredNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools
    .flatMap((tool) => (isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []))
    .map((d: Json) => d.name as string);
}

function unknownKeys(object: Json, allowed: readonly string[], at?: string): string | undefined {
  const key = Object.keys(object).find((name) => !allowed.includes(name));
  return key === undefined ? undefined : unknownField(key, at);
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
