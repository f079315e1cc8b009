using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace K2.Iceberg.Storage;

/// <summary>A warehouse in S3 or an S3-compatible store, addressed by <c>s3://bucket/key</c> URIs.</summary>
internal sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3StorageOptions _options;

    public S3ObjectStore(string warehouseUri, S3StorageOptions options, AWSCredentials? credentials)
    {
        _options = options;
        WarehouseUri = warehouseUri.TrimEnd('/');
        var config = new AmazonS3Config { ForcePathStyle = options.PathStyle };
        if (!string.IsNullOrWhiteSpace(options.Endpoint))
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        if (options.S3Compatible)
        {
            // Stores such as s3rver reject aws-chunked bodies with trailing checksums.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        _client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    public string WarehouseUri { get; }

    public static (string Bucket, string Key) Split(string uri)
    {
        if (!uri.StartsWith("s3://", StringComparison.Ordinal)) { throw new ArgumentException($"'{uri}' is not an s3:// URI; this warehouse is in S3"); }
        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
    }

    public async Task MoveFileAsync(string uri, string localPath, CancellationToken cancellationToken)
    {
        var length = new FileInfo(localPath).Length;
        if (length <= _options.MultipartThresholdBytes)
        {
            var (bucket, key) = Split(uri);
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket, Key = key, FilePath = localPath, UseChunkEncoding = !_options.S3Compatible,
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await PutMultipartAsync(uri, localPath, length, cancellationToken).ConfigureAwait(false);
        }

        File.Delete(localPath);
    }

    private async Task PutMultipartAsync(string uri, string localPath, long length, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            var partSize = _options.MultipartPartSizeBytes;
            for (long offset = 0, number = 1; offset < length; offset += partSize, number++)
            {
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = (int)number,
                    FilePath = localPath, FilePosition = offset, PartSize = Math.Min(partSize, length - offset),
                    UseChunkEncoding = !_options.S3Compatible,
                }, cancellationToken).ConfigureAwait(false);
                parts.Add(new PartETag((int)number, response.ETag));
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task PutBytesAsync(string uri, byte[] content, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        using var body = new MemoryStream(content, writable: false);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = body, UseChunkEncoding = !_options.S3Compatible,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadAllAsync(string uri, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        using var response = await _client.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public async Task DownloadAsync(string uri, string localPath, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        using var response = await _client.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        await using var file = File.Create(localPath);
        await response.ResponseStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        try
        {
            await _client.GetObjectMetadataAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string uri, CancellationToken cancellationToken)
    {
        var (bucket, key) = Split(uri);
        await _client.DeleteObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefixUri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (bucket, prefix) = Split(prefixUri);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new StoredObject($"s3://{bucket}/{o.Key}", o.Size ?? 0, o.LastModified ?? DateTime.UtcNow);
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    public void Dispose() => _client.Dispose();
}
