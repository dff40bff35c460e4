/**
 * Parts shared by memory64's own modules and no one else: exported only to the runtime adapters
 * ({@code exports ... to}), never API.
 */
package dev.memory64.internal;
