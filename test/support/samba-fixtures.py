#!/usr/bin/python3
"""Fixtures for the throwaway Samba AD DC of test/support/samba.ts, loaded in one process
straight into the domain's sam.ldb (no network, no samba-tool per entry: 1,100 groups in seconds).

Usage: samba-fixtures.py SMB_CONF SPEC_JSON_FILE

The spec (written by samba.ts; every password generated there):
  {"ous": ["OU=Groups", ...],
   "groups": [{"name": "...", "ou": "OU=Groups", "members": ["user or group name", ...]}],
   "users": [{"name", "password", "given", "surname", "mail", "ou" (default CN=Users),
              "state": "disabled" | "mustChange" | "accountExpired" | null}],
   "bulkGroups": {"prefix": "bulk-", "count": 1100, "ou": "OU=Bulk", "member": "user name"},
   "lockoutThreshold": 5,
   "setPassword": [{"name", "password"}]   # alone: run under faketime for an expired password
  }
Prints one JSON line: {"guids": {"user name": "objectGUID string", ...}}.
"""
import json
import sys

import ldb
from samba.auth import system_session
from samba.dcerpc import misc
from samba.ndr import ndr_unpack
from samba.param import LoadParm
from samba.samdb import SamDB


def main():
    smb_conf, spec_file = sys.argv[1], sys.argv[2]
    with open(spec_file, encoding="utf-8") as f:
        spec = json.load(f)
    lp = LoadParm()
    lp.load(smb_conf)
    samdb = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
    base = str(samdb.domain_dn())

    for item in spec.get("setPassword", []):
        samdb.setpassword("(sAMAccountName=%s)" % ldb.binary_encode(item["name"]), item["password"])
    if "setPassword" in spec:
        print(json.dumps({"guids": {}}))
        return

    if spec.get("lockoutThreshold"):
        m = ldb.Message(ldb.Dn(samdb, base))
        m["lockoutThreshold"] = ldb.MessageElement(str(spec["lockoutThreshold"]), ldb.FLAG_MOD_REPLACE, "lockoutThreshold")
        samdb.modify(m)

    for ou in spec.get("ous", []):
        samdb.add({"dn": "%s,%s" % (ou, base), "objectClass": "organizationalUnit"})

    guids = {}
    for u in spec.get("users", []):
        samdb.newuser(u["name"], u["password"], givenname=u.get("given"), surname=u.get("surname"),
                      userou=u.get("ou"), useusernameascn=True,
                      mailaddress=u.get("mail"),
                      force_password_change_at_next_login_req=(u.get("state") == "mustChange"))
        flt = "(sAMAccountName=%s)" % ldb.binary_encode(u["name"])
        if u.get("state") == "disabled":
            samdb.disable_account(flt)
        if u.get("state") == "accountExpired":
            dn = samdb.search(base=base, expression=flt, attrs=[])[0].dn
            m = ldb.Message(dn)
            # One day in the past, in 100 ns units since 1601.
            import time
            past = int((time.time() - 86400 + 11644473600) * 10_000_000)
            m["accountExpires"] = ldb.MessageElement(str(past), ldb.FLAG_MOD_REPLACE, "accountExpires")
            samdb.modify(m)
        res = samdb.search(base=base, expression=flt, attrs=["objectGUID"])
        guids[u["name"]] = str(ndr_unpack(misc.GUID, res[0]["objectGUID"][0]))

    for g in spec.get("groups", []):
        samdb.newgroup(g["name"], groupou=g.get("ou"))
    for g in spec.get("groups", []):
        if g.get("members"):
            # The group's own OU as the base: a same-named group elsewhere is never picked.
            samdb.add_remove_group_members(g["name"], g["members"], add_members_operation=True,
                                           member_base_dn=None)

    bulk = spec.get("bulkGroups")
    if bulk:
        member = samdb.search(base=base, expression="(sAMAccountName=%s)" % ldb.binary_encode(bulk["member"]), attrs=[])[0].dn
        for i in range(bulk["count"]):
            samdb.add({
                "dn": "CN=%s%04d,%s,%s" % (bulk["prefix"], i, bulk["ou"], base),
                "objectClass": "group",
                "sAMAccountName": "%s%04d" % (bulk["prefix"], i),
                "member": str(member),
            })

    print(json.dumps({"guids": guids}))


main()
