'use strict'

// index.d.ts type-checks the docs' usage (and rejects a misuse).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const tsc = require.resolve('typescript/bin/tsc')
const project = path.join(__dirname, 'types')

test('the docs usage type-checks against index.d.ts', () => {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('a misuse is a type error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cen-types-'))
  try {
    fs.writeFileSync(
      path.join(dir, 'misuse.ts'),
      "import { getAuth } from 'clerk-express-native'\nconst n: number = getAuth({} as any).userId\n",
    )
    const config = JSON.parse(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8'))
    config.compilerOptions.paths['clerk-express-native'] = [path.join(__dirname, '..', 'index.d.ts')]
    config.compilerOptions.typeRoots = [path.join(__dirname, '..', 'node_modules', '@types')]
    config.files = ['misuse.ts']
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config))
    const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
    assert.notEqual(result.status, 0)
    assert.match(result.stdout, /TS2322/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a typed app written against @clerk/express compiles unchanged against this package', () => {
  // The reference compile proves the app is valid for @clerk/express itself.
  for (const variant of ['reference', 'native']) {
    const config = path.join(project, 'typed-app', `tsconfig.${variant}.json`)
    const result = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' })
    assert.equal(result.status, 0, `${variant}: ${result.stdout}${result.stderr}`)
  }
})
