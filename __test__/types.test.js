'use strict'

// The TypeScript declarations: a project that type-checks against
// @clerk/express 2.1.70 type-checks unchanged against this package, misuses
// are the same type errors, the exported names are the same, and what the
// declarations promise exists at runtime.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { ts, compileProject, format, diagnosticsByLine } = require('./types/compile')
const { generate } = require('../scripts/generate-types')

const ROOT = path.join(__dirname, '..')
const TYPES = path.join(__dirname, 'types')
const REFERENCE = path.dirname(require.resolve('@clerk/express/package.json'))
const ENTRY_POINTS = ['index.d.ts', 'webhooks.d.ts', 'types.d.ts', 'env.d.ts']
const GENERATED_FOLDERS = ['types/backend', 'types/shared']

const COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  types: ['node'],
  skipLibCheck: true,
}

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { recursive: true }).filter((file) => fs.statSync(path.join(dir, file)).isFile())
}

/** This package's declaration files: the entry points, types/express.d.ts and the generated folders. */
function ownDeclarationFiles() {
  const generated = GENERATED_FOLDERS.flatMap((folder) =>
    filesUnder(path.join(ROOT, folder)).map((file) => path.posix.join(folder, file.split(path.sep).join('/'))),
  )
  return [...ENTRY_POINTS, 'types/express.d.ts', ...generated]
}

test('types/backend and types/shared are what scripts/generate-types.js makes from the installed reference', () => {
  const { output } = generate()
  const committed = new Map(
    GENERATED_FOLDERS.flatMap((folder) =>
      filesUnder(path.join(ROOT, folder)).map((file) => {
        const relative = path.posix.join(folder.replace(/^types\//, ''), file.split(path.sep).join('/'))
        return [relative, fs.readFileSync(path.join(ROOT, folder, file), 'utf8')]
      }),
    ),
  )
  assert.deepEqual([...committed.keys()].sort(), [...output.keys()].sort(), 'run: node scripts/generate-types.js')
  for (const [file, text] of output) {
    assert.equal(committed.get(file), text, `types/${file} is stale: run node scripts/generate-types.js`)
  }
  assert.ok(output.get('backend/LICENSE').includes('MIT License'))
  assert.ok(output.get('shared/LICENSE').includes('MIT License'))
})

test('the declarations name no path of this machine and import only express or files of this package', () => {
  const machinePath = /(^|[\s'"(=])(\/(home|root|tmp|usr|var|work|Users)\/|[A-Za-z]:\\)|node_modules/
  for (const file of ownDeclarationFiles().filter((name) => name.endsWith('.d.ts'))) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
    assert.doesNotMatch(text, machinePath, file)
    const info = ts.preProcessFile(text, true, true)
    for (const { fileName } of info.importedFiles) {
      const isOwn = fileName.startsWith('./') || fileName.startsWith('../')
      assert.ok(fileName === 'express' || isOwn, `${file} imports ${fileName}`)
    }
    assert.deepEqual(info.referencedFiles, [], `${file} has no /// <reference path>`)
  }
})

test('every declaration file the entry points reach is in the package files', () => {
  const { files } = require(path.join(ROOT, 'package.json'))
  const isPacked = (file) => files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry))
  const program = ts.createProgram(ENTRY_POINTS.map((file) => path.join(ROOT, file)), COMPILER_OPTIONS)
  const reached = program
    .getSourceFiles()
    .map((sourceFile) => path.relative(ROOT, sourceFile.fileName).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('node_modules/'))
  assert.ok(reached.includes('types/backend/api/endpoints/OrganizationApi.d.ts'))
  assert.deepEqual(reached.filter((file) => !isPacked(file)), [])
})

test('the docs usage type-checks against this package, its declaration files included', () => {
  // skipLibCheck is off: every declaration file of this package is checked too.
  const isOwn = (file) => !path.relative(ROOT, file).split(path.sep).includes('node_modules')
  const { program, diagnostics } = compileProject(path.join(TYPES, 'tsconfig.json'), {}, isOwn)
  assert.ok(program.getSourceFiles().filter((file) => isOwn(file.fileName)).length > 200)
  assert.equal(diagnostics.length, 0, format(diagnostics))
})

test('a typed app written against @clerk/express compiles unchanged against this package', () => {
  // The reference compile proves the app is valid for @clerk/express itself
  // (with a module resolution that reads its package exports).
  const variants = [
    ['reference', {}],
    ['native', {}],
    ['native', { module: 'commonjs', moduleResolution: 'node10' }],
    ['native', { module: 'esnext', moduleResolution: 'bundler' }],
  ]
  for (const [variant, overrides] of variants) {
    const { diagnostics } = compileProject(path.join(TYPES, 'typed-app', `tsconfig.${variant}.json`), overrides)
    assert.equal(diagnostics.length, 0, `${variant} ${JSON.stringify(overrides)}: ${format(diagnostics)}`)
  }
})

test('misuses are type errors, the same ones as with @clerk/express', () => {
  // Each line marked `// error TSnnnn` must fail with exactly those codes,
  // and no other line may fail: the types are not `any`.
  const dir = path.join(TYPES, 'misuse')
  const expected = []
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    fs.readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const marker = /\/\/ error ((?:TS\d+ ?)+)$/.exec(line)
        if (marker) for (const code of marker[1].trim().split(' ')) expected.push(`${file}:${index + 1} ${code}`)
      })
  }
  expected.sort()
  assert.ok(expected.length >= 20)
  for (const variant of ['reference', 'native']) {
    const { diagnostics } = compileProject(path.join(dir, `tsconfig.${variant}.json`))
    assert.deepEqual(diagnosticsByLine(diagnostics), expected, `${variant}: ${format(diagnostics)}`)
  }
})

/** One program over @clerk/express's entry points and ours, shared by the tests below. */
let exportsProgram
function referenceAndOwnProgram() {
  exportsProgram ??= ts.createProgram(
    [
      ...['dist/index.d.ts', 'dist/webhooks.d.ts', 'dist/types.d.ts'].map((entry) => path.join(REFERENCE, entry)),
      ...ENTRY_POINTS.map((entry) => path.join(ROOT, entry)),
    ],
    COMPILER_OPTIONS,
  )
  return exportsProgram
}

function exportsOf(file) {
  const program = referenceAndOwnProgram()
  const checker = program.getTypeChecker()
  return checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)))
}

const SUBPATHS = [
  ['@clerk/express', 'index.d.ts', 'dist/index.d.ts'],
  ['@clerk/express/webhooks', 'webhooks.d.ts', 'dist/webhooks.d.ts'],
  ['@clerk/express/types', 'types.d.ts', 'dist/types.d.ts'],
]

/**
 * The exported names each module specifier offers as values (not type-only):
 * a probe file uses each name as a value and the compiler says which it can't.
 */
function valueExports(names) {
  const probe = path.join(ROOT, '__value_probe__.ts')
  const lines = []
  const modules = Object.keys(names)
  modules.forEach((specifier, index) => lines.push(`import * as m${index} from '${specifier}'`))
  const uses = []
  modules.forEach((specifier, index) => {
    for (const name of names[specifier]) {
      uses.push([specifier, name])
      lines.push(`void m${index}.${name}`)
    }
  })
  const text = lines.join('\n')
  const host = ts.createCompilerHost(COMPILER_OPTIONS)
  const getSourceFile = host.getSourceFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  host.getSourceFile = (file, language, ...rest) =>
    file === probe ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, ...rest)
  host.fileExists = (file) => file === probe || fileExists(file)
  const program = ts.createProgram([probe], COMPILER_OPTIONS, host, referenceAndOwnProgram())
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(probe))
  const failed = new Set(diagnostics.map((d) => d.file.getLineAndCharacterOfPosition(d.start).line))
  const values = Object.fromEntries(modules.map((specifier) => [specifier, []]))
  uses.forEach(([specifier, name], index) => {
    if (!failed.has(modules.length + index)) values[specifier].push(name)
  })
  for (const specifier of modules) values[specifier].sort()
  return values
}

test('every name exported by @clerk/express entry points is exported here, as a type or as a value alike', () => {
  const names = {}
  for (const [specifier, ours, theirs] of SUBPATHS) {
    const reference = exportsOf(path.join(REFERENCE, theirs)).map((symbol) => symbol.name).sort()
    const own = exportsOf(path.join(ROOT, ours)).map((symbol) => symbol.name).sort()
    assert.ok(reference.length > 10, specifier)
    assert.deepEqual(own, reference, specifier)
    names[specifier] = reference
    names[`./${ours.replace(/\.d\.ts$/, '.js')}`] = reference
  }
  assert.ok(names['@clerk/express'].includes('UserJSON'))
  assert.ok(names['@clerk/express/webhooks'].includes('UserWebhookEvent'))
  assert.ok(names['@clerk/express/types'].includes('JwtPayload'))
  const values = valueExports(names)
  for (const [specifier, ours] of SUBPATHS) {
    assert.deepEqual(values[`./${ours.replace(/\.d\.ts$/, '.js')}`], values[specifier], `values of ${specifier}`)
  }
  // What the declarations offer as values is exactly what the modules export.
  assert.deepEqual(values['./index.js'], Object.keys(require(ROOT)).sort())
  assert.deepEqual(values['./webhooks.js'], Object.keys(require(path.join(ROOT, 'webhooks'))).sort())
  assert.deepEqual(values['./types.js'], [])
})

/** Whether a class or interface member is part of the public surface. */
function isPublic(symbol) {
  if (symbol.name.startsWith('#') || symbol.name.startsWith('__@')) return false
  const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected
  return !(symbol.declarations || []).some((declaration) => ts.getCombinedModifierFlags(declaration) & hidden)
}

test('every ClerkClient API group, method and property the declarations promise exists at runtime', () => {
  const checker = referenceAndOwnProgram().getTypeChecker()
  const clerkClientSymbol = exportsOf(path.join(ROOT, 'index.d.ts')).find((symbol) => symbol.name === 'clerkClient')
  const declared = []
  for (const group of checker.getPropertiesOfType(checker.getTypeOfSymbol(clerkClientSymbol)).filter(isPublic)) {
    const groupType = checker.getTypeOfSymbol(group)
    if (groupType.getCallSignatures().length) {
      declared.push([group.name, null, 'function'])
      continue
    }
    for (const member of checker.getPropertiesOfType(groupType).filter(isPublic)) {
      const isMethod = checker.getTypeOfSymbol(member).getCallSignatures().length > 0
      declared.push([group.name, member.name, isMethod ? 'function' : 'property'])
    }
  }
  const methods = declared.filter(([group, member, kind]) => member && kind === 'function' && group !== 'telemetry' && group !== 'userCache')
  assert.equal(new Set(declared.map(([group]) => group)).size, 36 + 2 + 2, 'API groups, telemetry, userCache, two functions')
  assert.equal(methods.length, 192)

  const { createClerkClient, clerkClient } = require(ROOT)
  const clients = [
    ['createClerkClient()', createClerkClient({ secretKey: 'sk_test_types' })],
    ['clerkClient', clerkClient],
  ]
  for (const [label, client] of clients) {
    const missing = declared.filter(([group, member, kind]) => {
      const owner = member ? client[group] : client
      const value = owner && owner[member ?? group]
      return kind === 'function' ? typeof value !== 'function' : !(owner && (member ?? group) in owner)
    })
    assert.deepEqual(missing.map(([group, member]) => (member ? `${group}.${member}` : group)), [], label)
  }
})

test('every Backend API resource class the declarations describe has its members at runtime', () => {
  // lib/resources registers every resource class by its public name.
  const resources = require('../lib/resources')
  const program = referenceAndOwnProgram()
  const checker = program.getTypeChecker()
  const folder = path.join(ROOT, 'types', 'backend', 'api', 'resources')
  const problems = []
  let classes = 0
  for (const sourceFile of program.getSourceFiles().filter((file) => file.fileName.startsWith(folder))) {
    for (const statement of sourceFile.statements.filter((node) => ts.isClassDeclaration(node) && node.name)) {
      classes++
      const name = statement.name.text
      const Resource = resources[name]
      if (typeof Resource !== 'function') {
        problems.push(`${name}: no runtime class`)
        continue
      }
      const symbol = checker.getSymbolAtLocation(statement.name)
      // Constructed without arguments: own fields exist (as undefined), getters are on the prototype.
      const instance = new Resource()
      for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).filter(isPublic)) {
        if (!(member.name in instance)) problems.push(`${name}#${member.name}`)
      }
      for (const member of checker.getPropertiesOfType(checker.getTypeOfSymbol(symbol)).filter(isPublic)) {
        if (member.name !== 'prototype' && !(member.name in Resource)) problems.push(`${name}.${member.name}`)
      }
    }
  }
  assert.equal(classes, 70)
  assert.deepEqual(problems, [])
})
