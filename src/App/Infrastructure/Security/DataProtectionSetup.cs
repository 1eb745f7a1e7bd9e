using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace App.Infrastructure.Security;

/// <summary>
/// Data Protection with its key ring in PostgreSQL, so every instance decrypts what any instance encrypted (tokens
/// at rest, cookies, anti-forgery tokens), and every key encrypted with the key-encryption key from the environment.
/// </summary>
public static class DataProtectionSetup
{
    public const string ApplicationName = "calendly-slices";

    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services, SecurityOptions security)
    {
        services.AddSingleton(new KeyEncryptionKey(security.KeyEncryptionKey));
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource, KeyEncryptionKey>((options, db, kek) =>
        {
            options.XmlRepository = new PostgresXmlRepository(db);
            options.XmlEncryptor = new AesGcmXmlEncryptor(kek);
        });
        return services;
    }
}

/// <summary>The key-encryption key (DATA_PROTECTION_KEK), 32 bytes for AES-256-GCM.</summary>
public sealed record KeyEncryptionKey(byte[] Bytes);

/// <summary>Stores Data Protection keys as rows. Key creation is rare and runs off the request path, so sync I/O is fine.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        const string sql = "select xml from data_protection_keys order by id";
        using var connection = db.OpenConnection();
        return connection.Query<string>(sql).Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        const string sql = """
            insert into data_protection_keys (friendly_name, xml) values (@FriendlyName, @Xml)
            on conflict (friendly_name) do nothing
            """;
        using var connection = db.OpenConnection();
        connection.Execute(sql, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}

/// <summary>Encrypts each key's XML with AES-256-GCM under the key-encryption key.</summary>
public sealed class AesGcmXmlEncryptor(KeyEncryptionKey kek) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(kek.Bytes, tag.Length))
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        var element = new XElement("encryptedKey",
            new XComment(" Encrypted with DATA_PROTECTION_KEK (AES-256-GCM). "),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(AesGcmXmlDecryptor));
    }
}

/// <summary>Created by Data Protection through its (IServiceProvider) constructor, named in each key's XML.</summary>
public sealed class AesGcmXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var kek = services.GetRequiredService<KeyEncryptionKey>();
        var nonce = Convert.FromBase64String((string)encryptedElement.Element("nonce")!);
        var tag = Convert.FromBase64String((string)encryptedElement.Element("tag")!);
        var ciphertext = Convert.FromBase64String((string)encryptedElement.Element("value")!);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(kek.Bytes, tag.Length))
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
