import { ChatCompletionsApi } from './chat-completions/chat-completions.api';
import { EmbeddingsApi } from './embeddings/embeddings.api';
import { ImagesApi } from './images/images.api';
import { CountTokensApi } from './messages/count-tokens.api';
import { MessagesApi } from './messages/messages.api';
import { ResponsesApi } from './responses/responses.api';
import type { V1Route } from './pipeline/v1-api';

/**
 * Every model-calling route, one entry per inbound API, all served by the `/v1` pipeline. `GET /v1/models`
 * calls no model and is an ordinary Nest controller (ModelsController), behind the same global guards.
 */
export const V1_ROUTES: readonly V1Route[] = [
  { method: 'POST', url: '/v1/chat/completions', name: 'chat', api: ChatCompletionsApi },
  { method: 'POST', url: '/v1/embeddings', name: 'embeddings', api: EmbeddingsApi },
  { method: 'POST', url: '/v1/messages', name: 'messages', api: MessagesApi },
  { method: 'POST', url: '/v1/messages/count_tokens', name: 'count_tokens', api: CountTokensApi },
  { method: 'POST', url: '/v1/responses', name: 'responses', api: ResponsesApi },
  { method: 'POST', url: '/v1/images/generations', name: 'images', api: ImagesApi },
];

/** The providers behind the route table, for the module that declares them. */
export const V1_APIS = [...new Set(V1_ROUTES.map((route) => route.api))];
