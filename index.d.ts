// Types of the @clerk/express 2.1.70 surface that clerk-express-native
// implements. Hand-written: the generated addon types are in binding.d.ts.

import type { RequestHandler, Request } from 'express'

export type TokenType = 'session_token' | 'api_key' | 'm2m_token' | 'oauth_token'

export interface JwtPayload {
  sub: string
  sid?: string
  azp?: string
  iss?: string
  exp?: number
  nbf?: number
  iat?: number
  sts?: string
  fva?: [number, number]
  act?: ActClaim
  [claim: string]: unknown
}

export interface ActClaim {
  sub: string
  [claim: string]: unknown
}

export type CheckAuthorizationParams = {
  role?: string
  permission?: string
  feature?: string
  plan?: string
  reverification?:
    | 'strict_mfa'
    | 'strict'
    | 'moderate'
    | 'lax'
    | { level: 'first_factor' | 'second_factor' | 'multi_factor'; afterMinutes: number }
}

export interface GetTokenOptions {
  template?: string
  expiresInSeconds?: number
}

interface AuthObjectBase {
  getToken: (options?: GetTokenOptions) => Promise<string | null>
  has: (params: CheckAuthorizationParams) => boolean
  debug: () => Record<string, unknown>
}

export interface SignedInAuthObject extends AuthObjectBase {
  tokenType: 'session_token'
  isAuthenticated: true
  actor: ActClaim | undefined
  sessionClaims: JwtPayload
  sessionId: string
  sessionStatus: string | null
  userId: string
  orgId: string | undefined
  orgRole: string | undefined
  orgSlug: string | undefined
  orgPermissions: string[] | undefined
  factorVerificationAge: [number, number] | null
}

export interface SignedOutAuthObject extends AuthObjectBase {
  tokenType: 'session_token'
  isAuthenticated: false
  actor: null
  sessionClaims: null
  sessionId: null
  sessionStatus: string | null
  userId: null
  orgId: null
  orgRole: null
  orgSlug: null
  orgPermissions: null
  factorVerificationAge: null
}

export type MachineTokenType = Exclude<TokenType, 'session_token'>

/** An API key (`ak_…`) that the Backend API verified. */
export interface AuthenticatedApiKeyObject extends AuthObjectBase {
  tokenType: 'api_key'
  isAuthenticated: true
  id: string
  subject: string
  name: string
  claims: Record<string, unknown> | null
  scopes: string[]
  userId: string | null
  orgId: string | null
}

/** An M2M token (`mt_…` or an M2M JWT) that was verified. */
export interface AuthenticatedM2MObject extends AuthObjectBase {
  tokenType: 'm2m_token'
  isAuthenticated: true
  id: string
  subject: string
  claims: Record<string, unknown> | null
  scopes: string[]
  machineId: string
}

/** An OAuth access token (`oat_…` or an OAuth JWT) that was verified. */
export interface AuthenticatedOAuthObject extends AuthObjectBase {
  tokenType: 'oauth_token'
  isAuthenticated: true
  id: string
  subject: string
  scopes: string[]
  userId: string
  clientId: string
}

interface UnauthenticatedMachineBase extends AuthObjectBase {
  isAuthenticated: false
  id: null
  subject: null
  scopes: null
}

export interface UnauthenticatedApiKeyObject extends UnauthenticatedMachineBase {
  tokenType: 'api_key'
  name: null
  claims: null
  userId: null
  orgId: null
}

export interface UnauthenticatedM2MObject extends UnauthenticatedMachineBase {
  tokenType: 'm2m_token'
  claims: null
  machineId: null
}

export interface UnauthenticatedOAuthObject extends UnauthenticatedMachineBase {
  tokenType: 'oauth_token'
  userId: null
  clientId: null
}

export type AuthenticatedMachineObject = AuthenticatedApiKeyObject | AuthenticatedM2MObject | AuthenticatedOAuthObject
export type UnauthenticatedMachineObject = UnauthenticatedApiKeyObject | UnauthenticatedM2MObject | UnauthenticatedOAuthObject
export type MachineAuthObject<T extends MachineTokenType = MachineTokenType> = Extract<
  AuthenticatedMachineObject | UnauthenticatedMachineObject,
  { tokenType: T }
>

export interface InvalidTokenAuthObject extends AuthObjectBase {
  tokenType: null
  isAuthenticated: false
}

export type SessionAuthObject = SignedInAuthObject | SignedOutAuthObject
export type AuthObject = SessionAuthObject | MachineAuthObject | InvalidTokenAuthObject

export interface PendingSessionOptions {
  treatPendingAsSignedOut?: boolean
}

export interface GetAuthOptions extends PendingSessionOptions {
  acceptsToken?: TokenType | TokenType[] | 'any'
}

export interface VerifyTokenOptions {
  secretKey?: string
  jwtKey?: string
  apiUrl?: string
  apiVersion?: string
  audience?: string | string[]
  authorizedParties?: string[]
  issuer?: string | string[]
  clockSkewInMs?: number
  headerType?: string | string[]
  skipJwksCache?: boolean
  /**
   * clerk-express-native only: reuse successful session-token verifications (the same token, the same options;
   * time claims re-checked on every request). On by default; `false` verifies every request.
   */
  sessionTokenCache?: boolean
}

export interface AuthenticateRequestOptions extends VerifyTokenOptions {
  publishableKey?: string
  machineSecretKey?: string
  domain?: string | ((url: URL) => string)
  isSatellite?: boolean | ((url: URL) => boolean)
  proxyUrl?: string | ((url: URL) => string)
  signInUrl?: string
  signUpUrl?: string
  afterSignInUrl?: string
  afterSignUpUrl?: string
  jwksCacheTtlInMs?: number
}

export interface ClerkMiddlewareOptions extends AuthenticateRequestOptions {
  clerkClient?: ClerkClient
  debug?: boolean
  /** clerk-express-native only: reuse successful opaque machine-token verifications this long (ms). Off by default. */
  machineTokenCacheTtlMs?: number
  /** clerk-express-native only: fetch the JWKS when the middleware is created rather than on the first request. */
  prefetchJwks?: boolean
}

export type ClerkMiddlewareOptionsCallback = (req: Request) => ClerkMiddlewareOptions | Promise<ClerkMiddlewareOptions>

export type ExpressRequestWithAuth = Request & { auth: (options?: PendingSessionOptions) => AuthObject }

export interface RequestState {
  status: 'signed-in' | 'signed-out' | 'handshake'
  reason: string | null
  message: string | null
  isSignedIn: boolean
  isAuthenticated: boolean
  tokenType: TokenType | null
  token: string | null
  headers: Headers
  proxyUrl: string
  publishableKey: string
  isSatellite: boolean
  domain: string
  signInUrl: string
  signUpUrl: string
  afterSignInUrl: string
  afterSignUpUrl: string
  toAuth: (options?: PendingSessionOptions) => AuthObject | null
}

export declare class User {
  id: string
  firstName: string | null
  lastName: string | null
  username: string | null
  imageUrl: string
  hasImage: boolean
  primaryEmailAddressId: string | null
  primaryPhoneNumberId: string | null
  primaryWeb3WalletId: string | null
  emailAddresses: Array<{ id: string; emailAddress: string; verification: unknown; linkedTo: unknown[] }>
  phoneNumbers: Array<{ id: string; phoneNumber: string; [field: string]: unknown }>
  web3Wallets: Array<{ id: string; web3Wallet: string; [field: string]: unknown }>
  externalAccounts: unknown[]
  enterpriseAccounts: unknown[]
  publicMetadata: Record<string, unknown>
  privateMetadata: Record<string, unknown>
  unsafeMetadata: Record<string, unknown>
  createdAt: number
  updatedAt: number
  lastSignInAt: number | null
  lastActiveAt: number | null
  banned: boolean
  locked: boolean
  externalId: string | null
  readonly raw: Record<string, unknown> | null
  readonly primaryEmailAddress: User['emailAddresses'][number] | null
  readonly fullName: string | null
  [field: string]: unknown
}

export interface PaginatedResourceResponse<T> {
  data: T
  totalCount: number
}

export interface ClerkClient {
  users: {
    getUser(userId: string): Promise<User>
    getUserList(params?: Record<string, unknown>): Promise<PaginatedResourceResponse<User[]>>
    getCount(params?: Record<string, unknown>): Promise<number>
  }
  sessions: {
    getToken(sessionId: string, template?: string, expiresInSeconds?: number): Promise<{ jwt: string }>
  }
  authenticateRequest(request: globalThis.Request, options?: AuthenticateRequestOptions): Promise<RequestState>
  debugRequestState(state: RequestState): Record<string, unknown>
  telemetry: unknown
}

export interface ClerkOptions extends AuthenticateRequestOptions {
  userAgent?: string
}

export declare function clerkMiddleware(options?: ClerkMiddlewareOptions | ClerkMiddlewareOptionsCallback): RequestHandler
/** @deprecated Use `clerkMiddleware()` with `getAuth()` instead. */
export declare function requireAuth(options?: ClerkMiddlewareOptions): RequestHandler
/** Without `acceptsToken` the result is a session auth object (signed in or out). */
export declare function getAuth(req: Request, options?: PendingSessionOptions & { acceptsToken?: 'session_token' }): SessionAuthObject
/** A single machine type: that type's object, authenticated or not. */
export declare function getAuth<T extends MachineTokenType>(
  req: Request,
  options: PendingSessionOptions & { acceptsToken: T },
): MachineAuthObject<T>
export declare function getAuth(req: Request, options: GetAuthOptions): AuthObject
export declare const clerkClient: ClerkClient
export declare function createClerkClient(options: ClerkOptions): ClerkClient
export declare function verifyToken(token: string, options: VerifyTokenOptions): Promise<JwtPayload>
export declare function authenticateRequest(opts: {
  clerkClient: ClerkClient
  request: Request
  options?: ClerkMiddlewareOptions
}): Promise<RequestState>

declare global {
  namespace Express {
    interface Request {
      auth: (options?: PendingSessionOptions) => AuthObject
    }
  }
}
