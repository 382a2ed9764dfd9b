global using Azure.Storage.Blobs;
global using Azure.Storage.Queues;
global using Microsoft.Extensions.Logging;
global using Xunit.Abstractions;
