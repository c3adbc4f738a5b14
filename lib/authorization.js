'use strict'

// `has()` of the auth object: organization role/permission, billing
// feature/plan and reverification checks, combined as the reference does:
// true iff at least one asked dimension passes and none fails.

const REVERIFICATION_PRESETS = {
  strict_mfa: { afterMinutes: 10, level: 'multi_factor' },
  strict: { afterMinutes: 10, level: 'second_factor' },
  moderate: { afterMinutes: 60, level: 'second_factor' },
  lax: { afterMinutes: 1440, level: 'second_factor' },
}
const LEVELS = new Set(['first_factor', 'second_factor', 'multi_factor'])
const ORG_SCOPES = new Set(['o', 'org', 'organization'])
const USER_SCOPES = new Set(['u', 'user'])

const withOrgPrefix = (value) => value.replace(/^(org:)*/, 'org:')

/** Splits a `fea`/`pla` claim into org- and user-scoped names. */
function splitByScope(claim) {
  const org = []
  const user = []
  if (!claim) return { org, user }
  for (const rawPart of claim.split(',')) {
    const part = rawPart.trim()
    const colon = part.indexOf(':')
    if (colon === -1) throw new Error(`Invalid claim element (missing colon): ${part}`)
    const scope = part.slice(0, colon)
    const value = part.slice(colon + 1)
    if (scope === 'o') org.push(value)
    else if (scope === 'u') user.push(value)
    else if (scope === 'ou' || scope === 'uo') {
      org.push(value)
      user.push(value)
    }
  }
  return { org, user }
}

function checkOrganization(params, { orgId, orgRole, orgPermissions }) {
  const roleAsked = params.role !== undefined
  const permissionAsked = params.permission !== undefined
  if (!roleAsked && !permissionAsked) return 'skip'
  if (roleAsked && typeof params.role !== 'string') return 'fail'
  if (permissionAsked && typeof params.permission !== 'string') return 'fail'
  if (!orgId) return 'fail'
  if (roleAsked) {
    if (typeof orgRole !== 'string' || !orgRole) return 'fail'
    if (withOrgPrefix(orgRole) !== withOrgPrefix(params.role)) return 'fail'
  }
  if (permissionAsked) {
    if (!Array.isArray(orgPermissions)) return 'fail'
    if (!orgPermissions.includes(withOrgPrefix(params.permission))) return 'fail'
  }
  return 'pass'
}

function claimIncludes(claim, asked) {
  const { org, user } = splitByScope(claim)
  const [scope, id] = asked.split(':')
  if (id === undefined) return [...org, ...user].includes(scope)
  if (ORG_SCOPES.has(scope)) return org.includes(id || scope)
  if (USER_SCOPES.has(scope)) return user.includes(id || scope)
  throw new Error(`Invalid scope: ${scope}`)
}

function checkBillingItem(claim, asked) {
  if (typeof claim !== 'string' || !claim) return false
  try {
    return claimIncludes(claim, asked)
  } catch {
    return false
  }
}

function checkBilling(params, { features, plans }) {
  const featureAsked = params.feature !== undefined
  const planAsked = params.plan !== undefined
  if (!featureAsked && !planAsked) return 'skip'
  if (featureAsked && typeof params.feature !== 'string') return 'fail'
  if (planAsked && typeof params.plan !== 'string') return 'fail'
  if (featureAsked && !checkBillingItem(features, params.feature)) return 'fail'
  if (planAsked && !checkBillingItem(plans, params.plan)) return 'fail'
  return 'pass'
}

const isValidFactorAge = (x) => typeof x === 'number' && Number.isFinite(x) && (x === -1 || x >= 0)

function reverificationConfig(asked) {
  if (!asked) return null
  if (typeof asked === 'string') return REVERIFICATION_PRESETS[asked] || null
  if (typeof asked === 'object' && LEVELS.has(asked.level) && typeof asked.afterMinutes === 'number' && asked.afterMinutes > 0) {
    return asked
  }
  return null
}

function checkReverification(params, { factorVerificationAge: ages }) {
  if (params.reverification === undefined) return 'skip'
  if (!ages) return 'fail'
  if (!Array.isArray(ages) || ages.length !== 2 || !isValidFactorAge(ages[0]) || !isValidFactorAge(ages[1])) return 'fail'
  const config = reverificationConfig(params.reverification)
  if (!config) return 'fail'
  const { level, afterMinutes } = config
  const [factor1Age, factor2Age] = ages
  if (factor1Age === -1 && factor2Age === -1) return 'fail'
  const factor1Fresh = factor1Age !== -1 && afterMinutes > factor1Age
  const factor2Fresh = factor2Age !== -1 && afterMinutes > factor2Age
  const verdict = (ok) => (ok ? 'pass' : 'fail')
  switch (level) {
    case 'first_factor':
      return verdict(factor1Fresh)
    case 'second_factor':
      if (factor2Age === -1) return verdict(factor1Fresh)
      if (factor1Age === -1) return verdict(factor2Fresh)
      return verdict(factor2Fresh)
    case 'multi_factor':
      if (factor2Age === -1) return verdict(factor1Fresh)
      if (factor1Age === -1) return 'fail'
      return verdict(factor1Fresh && factor2Fresh)
  }
}

function createCheckAuthorization(options) {
  return (params) => {
    if (!options.userId) return false
    const results = [checkOrganization(params, options), checkBilling(params, options), checkReverification(params, options)]
    return results.some((r) => r === 'pass') && results.every((r) => r === 'pass' || r === 'skip')
  }
}

module.exports = { createCheckAuthorization, splitByScope }
