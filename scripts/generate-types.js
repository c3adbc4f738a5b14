'use strict'

// Copies the declaration files that @clerk/express 2.1.70's entry points reach
// in @clerk/backend and @clerk/shared (MIT) into types/backend and
// types/shared, with every module specifier rewritten to a relative path
// inside this package, so that index.d.ts, webhooks.d.ts and types.d.ts can
// re-export exactly what @clerk/express's do without depending on Clerk's
// packages. Run it again after upgrading the reference devDependencies:
//
//   node scripts/generate-types.js [output folder, default: types]
//
// types/express.d.ts is hand-written (this package's Express options) and is
// left alone.

const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')

const ROOT = path.join(__dirname, '..')

/** Clerk packages whose declarations are copied, each into its own folder. */
function sourcePackages() {
  const expressDir = path.dirname(require.resolve('@clerk/express/package.json', { paths: [ROOT] }))
  const backendDir = path.dirname(require.resolve('@clerk/backend/package.json', { paths: [expressDir] }))
  const sharedDir = path.dirname(require.resolve('@clerk/shared/package.json', { paths: [backendDir] }))
  const describe = (dir, folder, copied) => {
    const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
    return { dir, name, version, folder, copied, dist: path.join(dir, 'dist') }
  }
  return {
    express: describe(expressDir, null, false),
    backend: describe(backendDir, 'backend', true),
    shared: describe(sharedDir, 'shared', true),
  }
}

/**
 * Upstream text that does not compile on its own (it is only ever read with
 * `skipLibCheck`), each replaced by what the compiler makes of it there:
 * `moduleManager.d.ts` types optional peer modules of clerk-js that are not
 * installed with @clerk/express either (an unresolved import is `any`), and
 * `ClerkAppearanceRegistry['theme']` indexes an empty interface that only UI
 * packages augment (`any` until one does).
 * `ClerkOptions` gains this package's own client options (see the README),
 * so that TypeScript users can pass them to `createClerkClient`, `ClerkClient`
 * its `userCache` helper, and
 * `VerifyTokenOptions` the session-token cache switch `verifyToken` reads.
 */
const NATIVE_CLIENT_OPTIONS = `
    /** clerk-express-native: limit per Backend API request attempt, in ms (default: none). */
    requestTimeoutMs?: number;
    /** clerk-express-native: retries of idempotent requests answered 429/502/503/504 (default 0). */
    maxRetries?: number;
    /** clerk-express-native: the longest Retry-After or backoff honoured, in ms (default 10000). */
    maxRetryDelayMs?: number;
    /** clerk-express-native: a longer answer fails with unexpected_error (default 67108864, 64 MiB). */
    maxResponseBytes?: number;
    /** clerk-express-native: keep \`users.getUser\` answers this long, with single-flight (default: off). */
    userCacheTtlMs?: number;
    /**
     * clerk-express-native: keep \`users.getUser\` answers in a store every process shares (default: off;
     * wins over \`userCacheTtlMs\`). Writes to a user through the client evict it; so does
     * \`clerkClient.userCache.evictFromWebhook(event)\`. A store that fails or is slow never fails a call.
     */
    userCache?: {
        /** Keyv-compatible: a \`Keyv\` (e.g. \`new Keyv(new KeyvRedis(url))\`) or a Keyv store (\`new KeyvRedis(url)\`). The same in every process. */
        store: {
            get(key: string): unknown;
            set(key: string, value: string, ttl?: number): unknown;
            delete(key: string): unknown;
        };
        /** How long an answer is kept, in ms. */
        ttlMs: number;
        /** The limit of each store operation, in ms; past it the call goes to the API (default 150). */
        storeTimeoutMs?: number;
    };`
const NATIVE_CLIENT_MEMBERS = `
    /** clerk-express-native: evicts users from the client's \`users.getUser\` cache (\`userCache\`, \`userCacheTtlMs\`). */
    userCache: {
        /** Resolves once the user is no longer cached; rejects when the store did not confirm it (it is retried meanwhile). */
        evict(userId: string): Promise<void>;
        /** For a verified webhook event: \`user.updated\` and \`user.deleted\` evict their user and resolve to true, others to false. */
        evictFromWebhook(event: { type: string; data?: unknown }): Promise<boolean>;
    };`
const NATIVE_VERIFY_OPTIONS = `
    /** clerk-express-native: reuse verifications of the same token with the same options (default: on). */
    sessionTokenCache?: boolean;
    /** clerk-express-native: verify with the last JWKS this long (ms) past its lifetime while it cannot be refreshed (default: off). */
    jwksStaleIfErrorMs?: number;`
/** `[from, to]` replacements per copied file; each must apply, or the generation stops. */
const PATCHES = {
  'backend/index.d.ts': [
    [
      'export type ClerkClient = {\n    telemetry: TelemetryCollector;\n}',
      `export type ClerkClient = {\n    telemetry: TelemetryCollector;${NATIVE_CLIENT_MEMBERS}\n}`,
    ],
    [
      "    telemetry?: Pick<TelemetryCollectorOptions, 'disabled' | 'debug' | 'samplingRate'>;\n};",
      `    telemetry?: Pick<TelemetryCollectorOptions, 'disabled' | 'debug' | 'samplingRate'>;${NATIVE_CLIENT_OPTIONS}\n};`,
    ],
    [
      '    jwtKey?: string | undefined;\n}) => Promise<',
      `    jwtKey?: string | undefined;${NATIVE_VERIFY_OPTIONS}\n}) => Promise<`,
    ],
  ],
  'shared/moduleManager.d.ts': [[/typeof import\('[^']+'\)/g, 'any']],
  'shared/types/clerk.d.ts': [
    [
      "type ClerkAppearanceTheme = ClerkAppearanceRegistry['theme'];",
      'type ClerkAppearanceTheme = ClerkAppearanceRegistry extends { theme: infer T } ? T : any;',
    ],
  ],
}

/** The file's text with its patches applied, each of which must change it. */
function applyPatches(destination, text) {
  for (const [from, to] of PATCHES[destination]) {
    const patched = text.replace(from, to)
    if (patched === text) throw new Error(`${destination}: the patch of ${from} no longer applies`)
    text = patched
  }
  return text
}

/** The compiler options @clerk/express's require-condition declarations are read with. */
const COMPILER_OPTIONS = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  types: [],
}

/** Every declaration file reachable from @clerk/express's typed entry points. */
function reachableFiles(packages) {
  const { dir } = packages.express
  const entries = ['dist/index.d.ts', 'dist/webhooks.d.ts', 'dist/types.d.ts', 'env.d.ts'].map((f) => path.join(dir, f))
  const program = ts.createProgram(entries, COMPILER_OPTIONS)
  return { program, files: program.getSourceFiles().filter((file) => ownerOf(packages, file.fileName)) }
}

/** The copied package a file belongs to, if any. */
function ownerOf(packages, fileName) {
  return Object.values(packages).find((pkg) => pkg.copied && isInside(pkg.dist, fileName))
}

function isInside(dir, fileName) {
  const relative = path.relative(dir, fileName)
  return !relative.startsWith('..') && !path.isAbsolute(relative)
}

/** Where a copied file goes, relative to the output folder, with `/` separators. */
function destinationOf(pkg, fileName) {
  return path.posix.join(pkg.folder, path.relative(pkg.dist, fileName).split(path.sep).join('/'))
}

/** The string literals of a file that name modules: imports, exports, `import('…')` types. */
function moduleSpecifiers(sourceFile) {
  const found = []
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(node.moduleSpecifier)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push(node.argument.literal)
    } else if (ts.isExternalModuleReference(node)) {
      found.push(node.expression)
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      throw new Error(`${sourceFile.fileName}: module augmentation "${node.name.text}" would need rewriting`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return found
}

/** Modules the copies may keep importing by name: the consumer's own Express types. */
const EXTERNAL_MODULES = new Set(['express'])

function rewriteSpecifier(packages, program, sourceFile, literal, destination) {
  const name = literal.text
  const mode = program.getModeForUsageLocation(sourceFile, literal)
  const from = sourceFile.fileName
  const { resolvedModule } = ts.resolveModuleName(name, from, COMPILER_OPTIONS, ts.sys, undefined, undefined, mode)
  const target = resolvedModule && ownerOf(packages, resolvedModule.resolvedFileName)
  if (!target) {
    if (EXTERNAL_MODULES.has(name)) return name
    throw new Error(`${sourceFile.fileName}: cannot place the import of "${name}"`)
  }
  const targetPath = destinationOf(target, resolvedModule.resolvedFileName).replace(/\.d\.ts$/, '.js')
  const relative = path.posix.relative(path.posix.dirname(destination), targetPath)
  return relative.startsWith('.') ? relative : `./${relative}`
}

/**
 * Comment ranges of a file, found through the syntax tree (so text inside
 * string literals is never taken for a comment).
 */
function commentRanges(sourceFile) {
  const text = sourceFile.text
  const ranges = new Map()
  const collect = (position) => {
    for (const range of ts.getLeadingCommentRanges(text, position) || []) ranges.set(range.pos, range)
    for (const range of ts.getTrailingCommentRanges(text, position) || []) ranges.set(range.pos, range)
  }
  const visit = (node) => {
    collect(node.pos)
    collect(node.end)
    for (const child of node.getChildren(sourceFile)) visit(child)
  }
  visit(sourceFile)
  return [...ranges.values()]
}

/**
 * @clerk/shared's types are mostly clerk-js (browser) types that ./types
 * re-exports wholesale; their prose is dropped to keep the package small,
 * except where it says something is deprecated.
 */
function isDroppedComment(pkg, commentText) {
  if (pkg.folder === 'backend') return /^\/\/# sourceMappingURL=/.test(commentText)
  return !commentText.includes('@deprecated')
}

/** A comment's removal, taking its lines with it when nothing else is on them. */
function wholeLines(text, range) {
  let start = range.pos
  let end = range.end
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--
  while (end < text.length && (text[end] === ' ' || text[end] === '\t' || text[end] === '\r')) end++
  const ownsLines = (start === 0 || text[start - 1] === '\n') && (end === text.length || text[end] === '\n')
  if (ownsLines) return { start, end: Math.min(end + 1, text.length), text: '' }
  return { start: range.pos, end: range.end, text: '' }
}

function header(pkg, sourceRelative) {
  return [
    '// Generated by scripts/generate-types.js: do not edit.',
    `// From ${pkg.name} ${pkg.version}, ${sourceRelative}. MIT License, Copyright (c) Clerk, Inc.`,
    `// (the full notice is in the LICENSE file of types/${pkg.folder}).`,
    '',
  ].join('\n')
}

/** The new text of one copied file. */
function copyOf(packages, program, sourceFile) {
  const pkg = ownerOf(packages, sourceFile.fileName)
  const destination = destinationOf(pkg, sourceFile.fileName)
  let text = sourceFile.text
  let parsed = sourceFile
  if (PATCHES[destination]) {
    text = applyPatches(destination, text)
    parsed = ts.createSourceFile(sourceFile.fileName, text, ts.ScriptTarget.ES2022, true)
    parsed.impliedNodeFormat = sourceFile.impliedNodeFormat
  }
  const edits = moduleSpecifiers(parsed).map((literal) => ({
    start: literal.getStart(parsed) + 1,
    end: literal.getEnd() - 1,
    text: rewriteSpecifier(packages, program, parsed, literal, destination),
  }))
  for (const range of commentRanges(parsed)) {
    if (isDroppedComment(pkg, text.slice(range.pos, range.end))) edits.push(wholeLines(text, range))
  }
  edits.sort((a, b) => b.start - a.start)
  for (const edit of edits) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end)
  const tidy = text.replace(/[ \t]+$/gm, '').trim()
  const sourceRelative = path.relative(pkg.dir, sourceFile.fileName).split(path.sep).join('/')
  return { destination, text: `${header(pkg, sourceRelative)}${tidy}\n` }
}

/** All generated files, as a map of output-relative path to text. */
function generate() {
  const packages = sourcePackages()
  const { program, files } = reachableFiles(packages)
  const output = new Map()
  for (const sourceFile of files) {
    const { destination, text } = copyOf(packages, program, sourceFile)
    output.set(destination, text)
  }
  for (const pkg of Object.values(packages).filter((p) => p.copied)) {
    output.set(`${pkg.folder}/LICENSE`, fs.readFileSync(path.join(pkg.dir, 'LICENSE'), 'utf8'))
  }
  return { packages, output }
}

function write(outDir, output) {
  for (const folder of new Set([...output.keys()].map((file) => file.split('/')[0]))) {
    fs.rmSync(path.join(outDir, folder), { recursive: true, force: true })
  }
  for (const [file, text] of [...output].sort()) {
    const target = path.join(outDir, ...file.split('/'))
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, text)
  }
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] || path.join(ROOT, 'types'))
  const { packages, output } = generate()
  write(outDir, output)
  const bytes = [...output.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  const { backend, shared } = packages
  console.log(
    `generate-types: ${output.size} files, ${Math.round(bytes / 1024)} KiB ` +
      `(${backend.name} ${backend.version}, ${shared.name} ${shared.version})`,
  )
}

module.exports = { generate, write }
