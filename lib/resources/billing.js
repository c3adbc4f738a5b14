'use strict'

// Billing plans, features and subscriptions, field for field as
// @clerk/backend 3.25.0 maps them, with its helpers for the money amounts and
// totals nested in them (plain objects, not classes). Key order matters: it
// is what JSON.stringify shows.

const { defineResource } = require('./define')

/** BillingPlan's fee mapping: a falsy fee gives `null`. */
function formatAmountJSON(fee) {
  return fee
    ? {
        amount: fee.amount,
        amountFormatted: fee.amount_formatted,
        currency: fee.currency,
        currencySymbol: fee.currency_symbol,
      }
    : null
}

/** Every other money amount: no guard, a missing amount throws. */
function billingMoneyAmountFromJSON(amount) {
  return {
    amount: amount.amount,
    amountFormatted: amount.amount_formatted,
    currency: amount.currency,
    currencySymbol: amount.currency_symbol,
  }
}

function billingTierFromJSON(tier) {
  return {
    quantity: tier.quantity,
    feePerBlock: billingMoneyAmountFromJSON(tier.fee_per_block),
    total: billingMoneyAmountFromJSON(tier.total),
  }
}

function billingPerUnitTotalsFromJSON(perUnitTotals) {
  return perUnitTotals.map((perUnitTotal) => ({
    name: perUnitTotal.name,
    blockSize: perUnitTotal.block_size,
    tiers: perUnitTotal.tiers.map(billingTierFromJSON),
  }))
}

function billingCreditsFromJSON(credits) {
  return {
    proration: credits.proration
      ? {
          amount: billingMoneyAmountFromJSON(credits.proration.amount),
          cycleDaysRemaining: credits.proration.cycle_days_remaining,
          cycleDaysTotal: credits.proration.cycle_days_total,
          cycleRemainingPercent: credits.proration.cycle_remaining_percent,
        }
      : null,
    payer: credits.payer
      ? {
          remainingBalance: billingMoneyAmountFromJSON(credits.payer.remaining_balance),
          appliedAmount: billingMoneyAmountFromJSON(credits.payer.applied_amount),
        }
      : null,
    total: billingMoneyAmountFromJSON(credits.total),
  }
}

function billingAppliedDiscountFromJSON(discount) {
  return {
    amount: billingMoneyAmountFromJSON(discount.amount),
    discountId: discount.discount_id,
    name: discount.name,
    effect: discount.effect,
    percentOff: discount.percent_off,
    amountOff: discount.amount_off ? billingMoneyAmountFromJSON(discount.amount_off) : undefined,
    promoCode: discount.promo_code,
    cyclesRemaining: discount.cycles_remaining,
    durationInCycles: discount.duration_in_cycles,
  }
}

function billingDiscountsFromJSON(discounts) {
  return {
    proration: discounts.proration
      ? {
          amount: billingMoneyAmountFromJSON(discounts.proration.amount),
          cycleDaysPassed: discounts.proration.cycle_days_passed,
          cycleDaysTotal: discounts.proration.cycle_days_total,
          cyclePassedPercent: discounts.proration.cycle_passed_percent,
        }
      : null,
    discount: discounts.discount ? billingAppliedDiscountFromJSON(discounts.discount) : undefined,
    total: billingMoneyAmountFromJSON(discounts.total),
  }
}

function billingPeriodTotalsFromJSON(totals) {
  return {
    subtotal: billingMoneyAmountFromJSON(totals.subtotal),
    baseFee: billingMoneyAmountFromJSON(totals.base_fee),
    taxTotal: billingMoneyAmountFromJSON(totals.tax_total),
    grandTotal: billingMoneyAmountFromJSON(totals.grand_total),
    perUnitTotals: totals.per_unit_totals ? billingPerUnitTotalsFromJSON(totals.per_unit_totals) : undefined,
  }
}

// A falsy optional amount is passed through as is (`null` stays `null`) for
// some keys and becomes `undefined` or `null` for others, as in the reference.
function billingTotalsFromJSON(totals) {
  const amountOrSame = (amount) => (amount ? billingMoneyAmountFromJSON(amount) : amount)
  return {
    subtotal: billingMoneyAmountFromJSON(totals.subtotal),
    baseFee: totals.base_fee ? billingMoneyAmountFromJSON(totals.base_fee) : null,
    taxTotal: billingMoneyAmountFromJSON(totals.tax_total),
    grandTotal: billingMoneyAmountFromJSON(totals.grand_total),
    totalDueAfterFreeTrial: amountOrSame(totals.total_due_after_free_trial),
    credit: amountOrSame(totals.credit),
    credits: totals.credits ? billingCreditsFromJSON(totals.credits) : null,
    discounts: totals.discounts ? billingDiscountsFromJSON(totals.discounts) : null,
    pastDue: amountOrSame(totals.past_due),
    totalDueNow: totals.total_due_now ? billingMoneyAmountFromJSON(totals.total_due_now) : undefined,
    perUnitTotals: totals.per_unit_totals ? billingPerUnitTotalsFromJSON(totals.per_unit_totals) : undefined,
    totalsDuePerPeriod: totals.totals_due_per_period
      ? billingPeriodTotalsFromJSON(totals.totals_due_per_period)
      : undefined,
    totalDuePerPeriod: totals.total_due_per_period
      ? billingMoneyAmountFromJSON(totals.total_due_per_period)
      : undefined,
  }
}

function billingSubscriptionItemSeatsFromJSON(seats) {
  return { quantity: seats.quantity, tiers: seats.tiers ? seats.tiers.map(billingTierFromJSON) : undefined }
}

const Feature = defineResource('Feature', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['description', (data) => data.description ?? null],
  ['slug', (data) => data.slug],
  ['avatarUrl', (data) => data.avatar_url ?? null],
])

const BillingPlan = defineResource('BillingPlan', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['slug', (data) => data.slug],
  ['description', (data) => data.description ?? null],
  ['isDefault', (data) => data.is_default],
  ['isRecurring', (data) => data.is_recurring],
  ['hasBaseFee', (data) => data.has_base_fee],
  ['publiclyVisible', (data) => data.publicly_visible],
  ['fee', (data) => formatAmountJSON(data.fee)],
  ['annualFee', (data) => formatAmountJSON(data.annual_fee)],
  ['annualMonthlyFee', (data) => formatAmountJSON(data.annual_monthly_fee)],
  ['forPayerType', (data) => data.for_payer_type],
  ['features', (data) => (data.features ?? []).map((feature) => Feature.fromJSON(feature))],
  ['avatarUrl', (data) => data.avatar_url],
  ['freeTrialDays', (data) => data.free_trial_days],
  ['freeTrialEnabled', (data) => data.free_trial_enabled],
])

// The item's `next_payment` is mapped before anything else is read; a falsy
// one is passed through as is.
const BillingSubscriptionItem = defineResource(
  'BillingSubscriptionItem',
  [
    ['id', (data) => data.id],
    ['instanceId', (data) => data.instance_id],
    ['status', (data) => data.status],
    ['planPeriod', (data) => data.plan_period],
    ['periodStart', (data) => data.period_start],
    ['nextPayment', (data, nextPayment) => nextPayment],
    ['amount', (data) => (data.amount ? billingMoneyAmountFromJSON(data.amount) : undefined)],
    ['plan', (data) => (data.plan ? BillingPlan.fromJSON(data.plan) : null)],
    ['planId', (data) => data.plan_id ?? null],
    ['priceId', (data) => data.price_id ?? null],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['periodEnd', (data) => data.period_end],
    ['canceledAt', (data) => data.canceled_at],
    ['pastDueAt', (data) => data.past_due_at],
    ['endedAt', (data) => data.ended_at],
    ['payerId', (data) => data.payer_id],
    ['isFreeTrial', (data) => data.is_free_trial],
    ['lifetimePaid', (data) => (data.lifetime_paid ? billingMoneyAmountFromJSON(data.lifetime_paid) : undefined)],
    ['seats', (data) => (data.seats ? billingSubscriptionItemSeatsFromJSON(data.seats) : undefined)],
  ],
  {
    locals: (data) =>
      data.next_payment
        ? {
            amount: billingMoneyAmountFromJSON(data.next_payment.amount),
            date: data.next_payment.date,
            perUnitTotals: data.next_payment.per_unit_totals
              ? billingPerUnitTotalsFromJSON(data.next_payment.per_unit_totals)
              : undefined,
            totals: data.next_payment.totals ? billingTotalsFromJSON(data.next_payment.totals) : undefined,
          }
        : data.next_payment,
  },
)

// Unlike the item's, the subscription's `next_payment` starts with `date` and
// a falsy one becomes `null`.
const BillingSubscription = defineResource(
  'BillingSubscription',
  [
    ['id', (data) => data.id],
    ['instanceId', (data) => data.instance_id],
    ['status', (data) => data.status],
    ['payerId', (data) => data.payer_id],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['activeAt', (data) => data.active_at ?? null],
    ['pastDueAt', (data) => data.past_due_at ?? null],
    [
      'subscriptionItems',
      (data) => (data.subscription_items ?? []).map((item) => BillingSubscriptionItem.fromJSON(item)),
    ],
    ['nextPayment', (data, nextPayment) => nextPayment],
    ['eligibleForFreeTrial', (data) => data.eligible_for_free_trial ?? false],
  ],
  {
    locals: (data) =>
      data.next_payment
        ? {
            date: data.next_payment.date,
            amount: billingMoneyAmountFromJSON(data.next_payment.amount),
            perUnitTotals: data.next_payment.per_unit_totals
              ? billingPerUnitTotalsFromJSON(data.next_payment.per_unit_totals)
              : undefined,
            totals: data.next_payment.totals ? billingTotalsFromJSON(data.next_payment.totals) : undefined,
          }
        : null,
  },
)

module.exports = {
  Feature,
  BillingPlan,
  BillingSubscriptionItem,
  BillingSubscription,
  formatAmountJSON,
  billingMoneyAmountFromJSON,
  billingPerUnitTotalsFromJSON,
  billingCreditsFromJSON,
  billingAppliedDiscountFromJSON,
  billingDiscountsFromJSON,
  billingPeriodTotalsFromJSON,
  billingTotalsFromJSON,
  billingSubscriptionItemSeatsFromJSON,
}
