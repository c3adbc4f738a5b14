// clerk-express-native/types (as @clerk/express/types): types only.
export type {
  AuthenticateRequestOptions as AuthenticateRequestParams,
  ClerkMiddlewareOptions,
  ClerkMiddlewareOptionsCallback,
  ExpressRequestWithAuth,
  AuthObject,
  SessionAuthObject,
  SignedInAuthObject,
  SignedOutAuthObject,
  PendingSessionOptions,
} from './index'
