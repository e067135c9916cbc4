// API requests per API key per hour (api_key_usage), for the overview's "API requests and
// errors by key". PLACEHOLDER: the overview work replaces it with in-memory counting flushed
// in batches (the request path must not write per call).
export function countApiKeyRequest(_apiKeyId: string, _status: number): void {}
