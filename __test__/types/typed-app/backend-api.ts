// The Backend API client as an app written against @clerk/express uses it:
// resource classes, their JSON, paginated lists and metadata updates.
import { clerkClient, createClerkClient } from '@clerk/express'
import type {
  ClerkClient,
  EmailAddressJSON,
  Organization,
  OrganizationJSON,
  OrganizationMembership,
  OrganizationMembershipRole,
  Session,
  User,
  UserJSON,
} from '@clerk/express'
import { expectType } from './expect-type'
import type { Equal, IsAny } from './expect-type'

expectType<Equal<typeof clerkClient, ClerkClient>>(true)
expectType<Equal<ReturnType<typeof createClerkClient>, ClerkClient>>(true)
expectType<Equal<IsAny<ClerkClient['organizations']>, false>>(true)

export async function organizationMembers(organizationId: string): Promise<string[]> {
  const memberships = clerkClient.organizations.getOrganizationMembershipList({ organizationId, limit: 20, offset: 0 })
  const { data, totalCount } = await memberships
  expectType<Equal<typeof data, OrganizationMembership[]>>(true)
  expectType<Equal<typeof totalCount, number>>(true)
  return data.map((membership) => {
    const role: OrganizationMembershipRole = membership.role
    const identifier = membership.publicUserData?.identifier ?? ''
    return `${identifier}:${role}:${membership.organization.slug}`
  })
}

export async function organizationAdmin(userId: string): Promise<Organization> {
  const organization = await clerkClient.organizations.createOrganization({ name: 'Acme', createdBy: userId })
  const updated = await clerkClient.organizations.updateOrganization(organization.id, { maxAllowedMemberships: 10 })
  await clerkClient.organizations.updateOrganizationMetadata(updated.id, { publicMetadata: { plan: 'pro' } })
  await clerkClient.organizations.createOrganizationInvitation({
    organizationId: updated.id,
    emailAddress: 'new@example.com',
    role: 'org:member',
    inviterUserId: userId,
  })
  const list = await clerkClient.organizations.getOrganizationList({ query: 'acme', includeMembersCount: true })
  const first: Organization | undefined = list.data[0]
  const json: OrganizationJSON = first ? first.raw! : ({} as OrganizationJSON)
  const slug: string | null = first?.slug ?? null
  return first ?? (await clerkClient.organizations.getOrganization({ slug: slug ?? json.slug }))
}

export async function userProfile(userId: string) {
  const user: User = await clerkClient.users.updateUserMetadata(userId, {
    publicMetadata: { onboarded: true },
    privateMetadata: { stripeCustomerId: 'cus_1' },
  })
  const email: string | undefined = user.primaryEmailAddress?.emailAddress
  const verified: boolean = user.emailAddresses.some((address) => address.verification?.status === 'verified')
  const fullName: string | null = user.fullName
  const raw: UserJSON | null = user.raw
  const firstEmail: EmailAddressJSON | undefined = raw?.email_addresses[0]
  const count: number = await clerkClient.users.getCount({ emailAddress: ['a@example.com'] })
  const sessions = await clerkClient.sessions.getSessionList({ userId, status: 'active' })
  const sessionIds: string[] = sessions.data.map((session: Session) => session.id)
  const { data: memberships } = await clerkClient.users.getOrganizationMembershipList({ userId })
  const token = await clerkClient.sessions.getToken(sessionIds[0] ?? '', 'supabase')
  const jwt: string = token.jwt
  await clerkClient.users.banUser(userId)
  await clerkClient.invitations.createInvitation({ emailAddress: 'x@example.com', redirectUrl: 'https://app.test' })
  const created = await clerkClient.users.createUser({ emailAddress: ['new@example.com'], password: 'a-long-password' })
  return { email, verified, fullName, firstEmail, count, sessionIds, memberships, jwt, createdId: created.id }
}

export function fromJson(json: UserJSON): string {
  const email = json.email_addresses[0]?.email_address
  const when: number = json.created_at
  return `${json.id} ${email ?? ''} ${when} ${json.public_metadata['plan'] ?? ''}`
}
