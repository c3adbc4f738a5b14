'use strict'

// `clerkClient.invitations` (InvitationAPI).

module.exports = {
  className: 'InvitationAPI',
  basePath: '/invitations',
  methods: {
    getInvitationList: { verb: 'GET', args: [['params', {}]], query: 'params', paginated: true },
    createInvitation: { verb: 'POST', args: ['params'], body: 'params' },
    // The body is a JSON array; each element is snake_cased on its own.
    createInvitationBulk: { verb: 'POST', args: ['params'], path: ['bulk'], body: 'params' },
    revokeInvitation: {
      verb: 'POST',
      args: ['invitationId'],
      requireId: ['invitationId'],
      path: [':invitationId', 'revoke'],
    },
    deleteInvitation: { verb: 'DELETE', args: ['invitationId'], requireId: ['invitationId'], path: [':invitationId'] },
  },
}
