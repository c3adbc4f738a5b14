'use strict'

// `npm run fuzz`: runs the cargo-fuzz targets of fuzz/ one after the other
// (FUZZ_TARGETS=a,b picks some), each for FUZZ_SECONDS (60 by default), on
// one core, and prints what libFuzzer reports for each: executions, speed,
// coverage, corpus and whether it crashed. Needs the nightly toolchain;
// installs cargo-fuzz when it is missing. The checked-in seeds
// (fuzz/corpus/<target>) stay as they are: what a run adds goes to
// fuzz/target/corpus/<target>, and each run's log to
// fuzz/target/logs/<target>.log, both ignored by git.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const fuzzDir = path.join(__dirname, '..', 'fuzz')
const seconds = Number(process.env.FUZZ_SECONDS || 60)
if (!Number.isInteger(seconds) || seconds <= 0) {
  console.error(`FUZZ_SECONDS must be a positive whole number of seconds, not ${process.env.FUZZ_SECONDS}`)
  process.exit(2)
}

const cargo = (args, options = {}) => spawnSync('cargo', args, { cwd: fuzzDir, encoding: 'utf8', ...options })

if (cargo(['fuzz', '--version']).status !== 0) {
  console.log('$ cargo install cargo-fuzz --locked')
  if (cargo(['install', 'cargo-fuzz', '--locked'], { stdio: 'inherit' }).status !== 0) process.exit(1)
}

const listed = cargo(['+nightly', 'fuzz', 'list'])
if (listed.status !== 0) {
  process.stderr.write(listed.stderr)
  console.error('cargo +nightly fuzz list failed: is the nightly toolchain installed?')
  process.exit(1)
}
const available = listed.stdout.split('\n').map((line) => line.trim()).filter(Boolean)
const targets = process.env.FUZZ_TARGETS
  ? process.env.FUZZ_TARGETS.split(',').map((name) => name.trim()).filter(Boolean)
  : available
const unknown = targets.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`unknown fuzz targets: ${unknown.join(', ')} (there are: ${available.join(', ')})`)
  process.exit(2)
}

// libFuzzer's status lines: `#<runs> <event> cov: <n> ft: <n> corp: <files>/<size> ... exec/s: <n>`.
const STATUS = /^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+).*?exec\/s: (\d+)/
const lastStatus = (log) => {
  const lines = log.split('\n').filter((line) => STATUS.test(line))
  if (lines.length === 0) return null
  const [, runs, cov, ft, files, size, speed] = lines[lines.length - 1].match(STATUS)
  return { runs: Number(runs), cov: Number(cov), ft: Number(ft), files: Number(files), size, speed: Number(speed) }
}

const artifacts = (target) => {
  const dir = path.join(fuzzDir, 'artifacts', target)
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join('fuzz', 'artifacts', target, name)) : []
}

const results = []
for (const target of targets) {
  const corpus = path.join('target', 'corpus', target)
  fs.mkdirSync(path.join(fuzzDir, corpus), { recursive: true })
  const before = new Set(artifacts(target))
  const args = ['+nightly', 'fuzz', 'run', target, corpus, path.join('corpus', target), '--', `-max_total_time=${seconds}`, '-jobs=1', '-workers=1']
  console.log(`\n$ cargo ${args.join(' ')}   (in fuzz/, ${seconds} s)`)
  // With -jobs, libFuzzer writes the run's log to fuzz-0.log in the working directory.
  const logFile = path.join(fuzzDir, 'fuzz-0.log')
  fs.rmSync(logFile, { force: true })
  const run = cargo(args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''
  // Kept per target for a look after the run (fuzz/target/logs/<target>.log).
  if (log) {
    fs.mkdirSync(path.join(fuzzDir, 'target', 'logs'), { recursive: true })
    fs.renameSync(logFile, path.join(fuzzDir, 'target', 'logs', `${target}.log`))
  }
  const crashes = artifacts(target).filter((file) => !before.has(file))
  results.push({ target, status: lastStatus(log), ok: run.status === 0 && crashes.length === 0, crashes })
  const last = results[results.length - 1]
  if (!last.ok) {
    console.log(log.split('\n').slice(-60).join('\n'))
  }
}

console.log('\ntarget                  executions    exec/s     cov      ft   corpus  result')
for (const { target, status, ok, crashes } of results) {
  const figures = status
    ? [status.runs, status.speed, status.cov, status.ft, status.files].map((n, i) => String(n).padStart([12, 9, 8, 8, 8][i]))
    : ['(no libFuzzer status line)']
  const result = ok ? 'ok' : crashes.length > 0 ? `crash: ${crashes.join(', ')}` : 'failed'
  console.log(`${target.padEnd(22)}${figures.join('')}  ${result}`)
}
process.exit(results.every((r) => r.ok) ? 0 : 1)
