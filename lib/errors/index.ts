export * from './kiss-error.js';
export { errorFromHttpResponse, errorFromSocketFrame, errorFromNetworkFailure, parseRetryAfter } from './from-response.js';
