// clerk-express-native/testing: a local Clerk instance (keys, tokens and an
// in-memory Backend API on 127.0.0.1) for running the real middleware in an
// app's own tests, offline.

export interface TestInstanceOptions {
  /** The Frontend API host the publishable key encodes and the tokens' `iss` names (default `clerk.example.com`; never contacted for bearer tokens). */
  frontendApi?: string
  /** Also put `CLERK_JWT_KEY` in `env` (networkless verification); without it the app fetches the JWKS from the local API. */
  jwtKeyInEnv?: boolean
}

export interface SessionTokenOptions {
  userId: string
  /** Generated (`sess_...`) when absent; the session is then served at `GET /v1/sessions/:id`. */
  sessionId?: string
  /** The active organization: `o.id` in the v2 claims. */
  orgId?: string
  /** Defaults to the stored organization's slug. */
  orgSlug?: string
  /** `org:admin`, `org:member`, ...; defaults to the user's stored membership role, else `org:member`. */
  orgRole?: string
  /** `org:<feature>:<permission>` names, encoded as Clerk does (`fea`, `o.per`, `o.fpm`); system permissions are left out as Clerk leaves them out. */
  orgPermissions?: string[]
  /** Extra or overriding claims (custom session claims, `fea`, `pla`, `act`, `sts`...). */
  claims?: Record<string, unknown>
  /** Lifetime from now (default 60, as Clerk's); negative for an expired token. */
  expiresInSeconds?: number
  /** `nbf`, in seconds since the epoch or as a Date. */
  notBefore?: number | Date
  /** The authorized party (default `http://localhost:3000`). */
  azp?: string
}

export interface ExpiredSessionTokenOptions extends SessionTokenOptions {
  /** How long ago the token expired (default 60 seconds). */
  expiredSecondsAgo?: number
}

export interface MachineTokenOptions {
  /** `user_...` or `org_...` for API keys and OAuth tokens, `mch_...` for M2M tokens. */
  subject?: string
  scopes?: string[]
  claims?: Record<string, unknown> | null
  /** Refused by the local API once past (never expires when absent). */
  expiresInSeconds?: number
}

export interface ApiKeyOptions extends MachineTokenOptions {
  subject: string
  name?: string
  description?: string
  createdBy?: string
}

export interface OAuthTokenOptions extends MachineTokenOptions {
  subject: string
  clientId?: string
  audience?: string[]
}

/** Backend API JSON (snake_case) as Clerk's Backend API answers it. */
export type ClerkJSON = Record<string, any> & { object: string; id: string }

export interface CreateUserParams {
  emailAddress?: string[]
  phoneNumber?: string[]
  username?: string
  firstName?: string
  lastName?: string
  externalId?: string
  password?: string
  publicMetadata?: Record<string, unknown>
  privateMetadata?: Record<string, unknown>
  unsafeMetadata?: Record<string, unknown>
}

export interface UpdateMetadataParams {
  publicMetadata?: Record<string, unknown>
  privateMetadata?: Record<string, unknown>
  unsafeMetadata?: Record<string, unknown>
}

export interface UserListQuery {
  userId?: string | string[]
  emailAddress?: string | string[]
  externalId?: string | string[]
  username?: string | string[]
  query?: string
}

export interface TestUsers {
  create(params?: CreateUserParams): ClerkJSON
  get(id: string): ClerkJSON | null
  list(query?: UserListQuery): ClerkJSON[]
  update(id: string, params: Partial<CreateUserParams>): ClerkJSON
  /** Merged as Clerk merges metadata: deeply, `null` deletes a key. */
  updateMetadata(id: string, params: UpdateMetadataParams): ClerkJSON
  delete(id: string): { object: 'user'; id: string; deleted: true }
}

export interface TestOrganizations {
  /** With `createdBy`, that user becomes an `org:admin` member, as with Clerk. */
  create(params: { name: string; slug?: string; createdBy?: string; publicMetadata?: Record<string, unknown>; privateMetadata?: Record<string, unknown>; maxAllowedMemberships?: number }): ClerkJSON
  /** By id or slug. */
  get(idOrSlug: string): ClerkJSON | null
  list(query?: { query?: string }): ClerkJSON[]
  addMember(params: { organizationId: string; userId: string; role?: string; permissions?: string[]; publicMetadata?: Record<string, unknown>; privateMetadata?: Record<string, unknown> }): ClerkJSON
  memberships(query: { organizationId?: string; userId?: string }): ClerkJSON[]
}

export interface FailNextOptions {
  /** Default 429. */
  status?: number
  /** The `Retry-After` header in seconds (default 1 for a 429). */
  retryAfter?: number
  /** Only a call to this path (`/users/user_1` or `/v1/users/user_1`), or matching this RegExp, fails. */
  path?: string | RegExp
  method?: string
  /** How many matching calls in a row fail (default 1). */
  times?: number
  code?: string
  message?: string
  longMessage?: string
  /** A response body to send instead of Clerk's error shape. */
  body?: unknown
}

export interface RecordedRequest {
  method: string
  path: string
  search: string
  body: string
}

export interface TestInstanceEnv {
  CLERK_SECRET_KEY: string
  CLERK_PUBLISHABLE_KEY: string
  CLERK_API_URL: string
  CLERK_JWT_KEY?: string
}

export interface JwtTemplateOptions {
  name: string
  /**
   * Custom claims. A string that is one shortcode (`"{{user.id}}"`, `"{{user.primary_email_address}}"`,
   * `"{{user.public_metadata.plan}}"`, `"{{org.slug}}"`, `"{{org.role}}"`, `"{{session.id}}"`) takes the
   * value it names (user and session fields as the Backend API's JSON names them), or null.
   */
  claims?: Record<string, unknown>
  /** Seconds (default 60). */
  lifetime?: number
}

export interface JwtTemplate {
  name: string
  claims: Record<string, unknown>
  lifetime: number
}

export interface TestJwtTemplates {
  /** What `getToken({ template: name })` is answered with from now on. */
  create(options: JwtTemplateOptions): JwtTemplate
  get(name: string): JwtTemplate | null
  delete(name: string): boolean
}

export interface TestInstance {
  publishableKey: string
  secretKey: string
  /** The local Backend API, `http://127.0.0.1:<port>`. */
  apiUrl: string
  /** The instance's public key as SPKI PEM, for `jwtKey` (networkless verification). */
  jwtKey: string
  /** What `GET /v1/jwks` serves. */
  jwks: { keys: Array<Record<string, string>> }
  /** The environment to hand to the app under test. */
  env: TestInstanceEnv
  /** A v2 session token as Clerk issues it, signed with this instance's key. */
  signSessionToken(options: SessionTokenOptions): string
  expiredSessionToken(options: ExpiredSessionTokenOptions): string
  /**
   * The `Cookie` header of a browser signed in as Clerk.js leaves it: a `__session` token as
   * `signSessionToken` makes it, `__client_uat` set to its `iat`, and a dev browser cookie
   * (`__clerk_db_jwt`), which a development instance's browser requests need.
   */
  sessionCookies(options: SessionTokenOptions): string
  /** The `Cookie` header of a signed-out browser (`__client_uat=0` and the dev browser cookie). */
  signedOutCookies(): string
  /** Signed by another instance's key (with that instance's kid). */
  foreignSessionToken(options: SessionTokenOptions): string
  /** An opaque API key (`ak_...`) the local API verifies. */
  createApiKey(options: ApiKeyOptions): string
  /** An opaque M2M token (`mt_...`) the local API verifies. */
  createM2MToken(options?: MachineTokenOptions): string
  /** An opaque OAuth access token (`oat_...`) the local API verifies. */
  createOAuthToken(options: OAuthTokenOptions): string
  /** The local API refuses the token from now on; false for a token it does not know. */
  revokeMachineToken(token: string, reason?: string | null): boolean
  users: TestUsers
  organizations: TestOrganizations
  sessions: { get(id: string): ClerkJSON | null }
  /** JWT templates for `getToken({ template })`; `getToken({ expiresInSeconds })` re-issues the session's token. */
  jwtTemplates: TestJwtTemplates
  /** Every call the local API has served, oldest first. */
  requests: RecordedRequest[]
  /** Makes the next call (optionally to a path) fail, in Clerk's error shape. */
  failNext(options?: FailNextOptions): void
  close(): Promise<void>
}

export declare function createTestInstance(options?: TestInstanceOptions): Promise<TestInstance>
