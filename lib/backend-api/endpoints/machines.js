'use strict'

// `clerkClient.machines` (MachineApi).

module.exports = {
  className: 'MachineApi',
  basePath: '/machines',
  methods: {
    get: { verb: 'GET', args: ['machineId'], requireId: ['machineId'], path: [':machineId'] },
    list: { verb: 'GET', args: [['queryParams', {}]], query: 'queryParams' },
    create: { verb: 'POST', args: ['bodyParams'], body: 'bodyParams' },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['machineId'],
      requireId: ['machineId'],
      path: [':machineId'],
      body: 'rest',
    },
    delete: { verb: 'DELETE', args: ['machineId'], requireId: ['machineId'], path: [':machineId'] },
    getSecretKey: { verb: 'GET', args: ['machineId'], requireId: ['machineId'], path: [':machineId', 'secret_key'] },
    rotateSecretKey: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['machineId', 'previousTokenTtl'],
      requireId: ['machineId'],
      path: [':machineId', 'secret_key', 'rotate'],
      body: ['previousTokenTtl'],
    },
    createScope: {
      verb: 'POST',
      args: ['machineId', 'toMachineId'],
      requireId: ['machineId'],
      path: [':machineId', 'scopes'],
      body: ['toMachineId'],
    },
    // Only the first id is checked; a missing second one drops out of the path.
    deleteScope: {
      verb: 'DELETE',
      args: ['machineId', 'otherMachineId'],
      requireId: ['machineId'],
      path: [':machineId', 'scopes', ':otherMachineId'],
    },
  },
}
