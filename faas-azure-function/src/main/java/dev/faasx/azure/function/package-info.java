/**
 * Runs faasx jobs on Azure Functions as a custom handler: {@link dev.faasx.azure.function.CustomHandlerServer}
 * answers the Functions host on {@code FUNCTIONS_CUSTOMHANDLER_PORT}, and
 * {@link dev.faasx.azure.function.CustomHandlerMain} is the entry point {@code host.json} names. No Azure SDK inside.
 */
package dev.faasx.azure.function;
