'use strict'

// `clerkClient.agentTasks` (AgentTaskAPI), experimental in the reference.

module.exports = {
  className: 'AgentTaskAPI',
  basePath: '/agents/tasks',
  methods: {
    create: { verb: 'POST', args: ['params'], body: 'params', deep: true },
    revoke: { verb: 'POST', args: ['agentTaskId'], requireId: ['agentTaskId'], path: [':agentTaskId', 'revoke'] },
  },
}
