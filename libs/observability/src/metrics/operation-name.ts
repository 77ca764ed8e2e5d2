/** The GenAI semantic-convention operation behind each endpoint; a fixed set, so it is safe as a label. */
const OPERATIONS: Record<string, string> = {
  '/v1/chat/completions': 'chat',
  '/v1/messages': 'chat',
  '/v1/responses': 'chat',
  '/v1/messages/count_tokens': 'count_tokens',
  '/v1/embeddings': 'embeddings',
  '/v1/images/generations': 'generate_content',
  '/v1/models': 'list_models',
};

export function operationName(endpoint: string): string {
  if (OPERATIONS[endpoint]) return OPERATIONS[endpoint];
  return endpoint.startsWith('/v1/models/') ? 'list_models' : 'unknown';
}
