using System.Security.Cryptography;
using App.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class DataProtectionTests(AppFixture app)
{
    private const string Purpose = "tests";

    private static IDataProtector Protector(Alba.IAlbaHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    [Test]
    public async Task The_key_ring_lives_in_the_database_encrypted_by_the_key_encryption_key()
    {
        Protector(app.Host).Protect("warm up the key ring");

        await using var db = await app.Database.OpenAsync();
        var keys = (await db.QueryAsync<string>("select xml from data_protection_keys")).ToList();
        await Assert.That(keys).IsNotEmpty();
        foreach (var xml in keys)
        {
            await Assert.That(xml).Contains("encryptedSecret");
            await Assert.That(xml).Contains("AesGcmXmlDecryptor");
            await Assert.That(xml).DoesNotContain("<masterKey");
        }
    }

    [Test]
    public async Task Another_instance_on_the_same_database_reads_what_this_one_wrote()
    {
        var secret = $"refresh-token-{Guid.NewGuid()}";
        var ciphertext = Protector(app.Host).Protect(secret);

        await using var other = await AppHost.StartAsync(app.Database.ConnectionString);
        await Assert.That(Protector(other).Unprotect(ciphertext)).IsEqualTo(secret);
    }

    [Test]
    public async Task Without_the_key_encryption_key_the_database_decrypts_nothing()
    {
        // Its own database: the stranger host adds a key of its own, which must not reach the shared app.
        await using var database = await TestDatabase.CreateAsync();
        string ciphertext;
        await using (var owner = await AppHost.StartAsync(database.ConnectionString))
            ciphertext = Protector(owner).Protect("access-token");

        await using var stranger = await AppHost.StartAsync(database.ConnectionString,
            new Dictionary<string, string> { ["DATA_PROTECTION_KEK"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        await Assert.That(() => Protector(stranger).Unprotect(ciphertext)).Throws<CryptographicException>();
    }
}
