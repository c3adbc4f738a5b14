// Misuses of the Backend API client: wrong parameter types, unknown methods,
// nullable results used as if present.
import { clerkClient } from '@clerk/express'
import type { UserJSON } from '@clerk/express'

async function misuses() {
  await clerkClient.organizations.getOrganizationMembershipList({ organizationId: 42 }) // error TS2322
  await clerkClient.organizations.getOrganizationMembershipList({}) // error TS2345
  await clerkClient.users.updateUserMetadata(123, { publicMetadata: {} }) // error TS2345
  await clerkClient.organizations.deleteEverything() // error TS2339
  const user = await clerkClient.users.getUser('user_1')
  void user.primaryEmailAddress.emailAddress // error TS18047
  const { data } = await clerkClient.users.getUserList()
  const first: string = data[0].firstName // error TS2322
  const json: UserJSON = { id: 'user_1' } // error TS2740
  void [first, json]
}
void misuses
