package dev.faasx.cloudflare;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * An <em>estimate</em> of what Workers invocations cost, from Cloudflare's published Workers pricing (Standard usage
 * model, as published in 2026): not a bill, and not read from Cloudflare's accounting. On the Paid plan
 * ({@code $5} a month) the first 10 million requests and 30 million CPU milliseconds of a month are included; each
 * further million requests costs {@code $0.30} and each further million CPU milliseconds {@code $0.02}. The Free plan
 * costs nothing but allows 100,000 requests a day and 10 ms of CPU time per invocation.
 *
 * <p>The CPU time is the caller's input: neither the client nor faasx's wrapper can measure it (a Worker's clock
 * stands still while it computes), and Cloudflare reports it only in its own analytics. The configured CPU limit
 * ({@code cloudflare.cpu_ms}) bounds it, so {@code perInvocation(limit)} is an upper bound of the CPU part.
 *
 * <pre>{@code
 * WorkersCostEstimate paid = WorkersCostEstimate.paid();
 * BigDecimal usd = paid.perInvocation(Duration.ofMillis(7)).usd();        // marginal, past the allowance
 * BigDecimal month = paid.monthly(50_000_000, Duration.ofHours(20)).usd(); // $5 + overage
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param plan                 the plan the rates are for
 * @param monthlyBase          the plan's monthly price, USD
 * @param includedRequests     requests a month included in the base
 * @param includedCpuMs        CPU milliseconds a month included in the base
 * @param usdPerMillionRequests price of a million requests past the allowance
 * @param usdPerMillionCpuMs   price of a million CPU milliseconds past the allowance
 */
public record WorkersCostEstimate(Plan plan, BigDecimal monthlyBase, long includedRequests, long includedCpuMs,
                                  BigDecimal usdPerMillionRequests, BigDecimal usdPerMillionCpuMs) {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Cloudflare's Workers plans. */
    public enum Plan {
        /** Workers Free: no charge, 100,000 requests a day, 10 ms CPU per invocation. */
        FREE,
        /** Workers Paid, Standard usage model. */
        PAID
    }

    /** One estimate: what it is for, and its amount in US dollars. */
    public record Estimate(Plan plan, long requests, Duration cpuTime, BigDecimal usd) {
        /** Always true: a figure computed from published prices, never one Cloudflare billed. */
        public boolean isEstimate() {
            return true;
        }

        @Override
        public String toString() {
            return "estimated $" + usd.toPlainString() + " for " + requests + " request(s) and " + cpuTime.toMillis()
                    + " CPU ms on Workers " + plan + " (published prices, not a bill)";
        }
    }

    public WorkersCostEstimate {
        if (plan == null || monthlyBase == null || usdPerMillionRequests == null || usdPerMillionCpuMs == null) {
            throw new IllegalArgumentException("plan and prices must not be null");
        }
        if (monthlyBase.signum() < 0 || usdPerMillionRequests.signum() < 0 || usdPerMillionCpuMs.signum() < 0
                || includedRequests < 0 || includedCpuMs < 0) {
            throw new IllegalArgumentException("prices and allowances must not be negative");
        }
    }

    /** The Paid plan's published rates. */
    public static WorkersCostEstimate paid() {
        return new WorkersCostEstimate(Plan.PAID, new BigDecimal("5.00"), 10_000_000, 30_000_000,
                new BigDecimal("0.30"), new BigDecimal("0.02"));
    }

    /** The Free plan: nothing is charged (its limits cap the use instead). */
    public static WorkersCostEstimate free() {
        return new WorkersCostEstimate(Plan.FREE, BigDecimal.ZERO, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    /**
     * The marginal cost of one invocation that used {@code cpuTime}, once the month's allowance is used up: one
     * request plus its CPU milliseconds at the overage rates (zero on the Free plan).
     */
    public Estimate perInvocation(Duration cpuTime) {
        check(cpuTime);
        BigDecimal usd = usdPerMillionRequests.add(usdPerMillionCpuMs.multiply(cpuMs(cpuTime)))
                .divide(MILLION, MathContext.DECIMAL64);
        return new Estimate(plan, 1, cpuTime, usd.stripTrailingZeros());
    }

    /** A month's cost for {@code requests} invocations using {@code cpuTime} of CPU altogether: base plus overage. */
    public Estimate monthly(long requests, Duration cpuTime) {
        if (requests < 0) {
            throw new IllegalArgumentException("requests must not be negative, was " + requests);
        }
        check(cpuTime);
        BigDecimal extraRequests = BigDecimal.valueOf(Math.max(0, requests - includedRequests));
        BigDecimal extraCpu = cpuMs(cpuTime).subtract(BigDecimal.valueOf(includedCpuMs)).max(BigDecimal.ZERO);
        BigDecimal usd = monthlyBase.add(extraRequests.multiply(usdPerMillionRequests).divide(MILLION))
                .add(extraCpu.multiply(usdPerMillionCpuMs).divide(MILLION, MathContext.DECIMAL64))
                .setScale(2, RoundingMode.HALF_UP);
        return new Estimate(plan, requests, cpuTime, usd);
    }

    private static BigDecimal cpuMs(Duration d) {
        return BigDecimal.valueOf(d.toNanos()).divide(BigDecimal.valueOf(1_000_000));
    }

    private static void check(Duration cpuTime) {
        if (cpuTime == null || cpuTime.isNegative()) {
            throw new IllegalArgumentException("cpuTime must not be negative, was " + cpuTime);
        }
    }
}
