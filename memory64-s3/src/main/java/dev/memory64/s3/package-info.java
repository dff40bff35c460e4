/**
 * Models in S3 buckets and S3-compatible object stores: with this module on the class or module
 * path, {@code GgufModel.open(URI.create("s3://bucket/key"))} reads the object by signed, ranged
 * {@code GetObject} requests with the default credentials chain and region; {@link
 * dev.memory64.s3.S3Options} names explicit credentials, a region, an endpoint and path-style
 * addressing, and is given to an open through {@code
 * RemoteOptions.withTransport(options.transport())}.
 */
package dev.memory64.s3;
