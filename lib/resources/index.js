'use strict'

// Every Backend API resource class of @clerk/backend 3.25.0, by its public
// name (the class itself is named `_<name>`), plus the billing amount helpers.

module.exports = {
  ...require('./billing'),
  ...require('./deleted-object'),
  ...require('./enterprise-connection'),
  ...require('./instance'),
  ...require('./invitation'),
  ...require('./machine'),
  ...require('./messaging'),
  ...require('./oauth'),
  ...require('./organization'),
  ...require('./session'),
  ...require('./user'),
}
