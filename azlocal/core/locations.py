"""Azure's public regions, as `az account list-locations` lists them."""

from azlocal.core import settings
from azlocal.core.errors import ValidationError

# name, display name, geography group, physical location, latitude, longitude, paired region
REGIONS = [
    ("eastus", "East US", "US", "Virginia", "37.3719", "-79.8164", "westus"),
    ("eastus2", "East US 2", "US", "Virginia", "36.6681", "-78.3889", "centralus"),
    ("southcentralus", "South Central US", "US", "Texas", "29.4167", "-98.5", "northcentralus"),
    ("westus2", "West US 2", "US", "Washington", "47.233", "-119.852", "westcentralus"),
    ("westus3", "West US 3", "US", "Phoenix", "33.448376", "-112.074036", "eastus"),
    ("australiaeast", "Australia East", "Asia Pacific", "New South Wales", "-33.86", "151.2094", "australiasoutheast"),
    ("southeastasia", "Southeast Asia", "Asia Pacific", "Singapore", "1.283", "103.833", "eastasia"),
    ("northeurope", "North Europe", "Europe", "Ireland", "53.3478", "-6.2597", "westeurope"),
    ("swedencentral", "Sweden Central", "Europe", "Gävle", "60.67488", "17.14127", "swedensouth"),
    ("uksouth", "UK South", "Europe", "London", "50.941", "-0.799", "ukwest"),
    ("westeurope", "West Europe", "Europe", "Netherlands", "52.3667", "4.9", "northeurope"),
    ("centralus", "Central US", "US", "Iowa", "41.5908", "-93.6208", "eastus2"),
    ("southafricanorth", "South Africa North", "Africa", "Johannesburg", "-25.73134", "28.21837", "southafricawest"),
    ("centralindia", "Central India", "Asia Pacific", "Pune", "18.5822", "73.9197", "southindia"),
    ("eastasia", "East Asia", "Asia Pacific", "Hong Kong", "22.267", "114.188", "southeastasia"),
    ("japaneast", "Japan East", "Asia Pacific", "Tokyo, Saitama", "35.68", "139.77", "japanwest"),
    ("koreacentral", "Korea Central", "Asia Pacific", "Seoul", "37.5665", "126.978", "koreasouth"),
    ("canadacentral", "Canada Central", "Canada", "Toronto", "43.653", "-79.383", "canadaeast"),
    ("francecentral", "France Central", "Europe", "Paris", "46.3772", "2.373", "francesouth"),
    ("germanywestcentral", "Germany West Central", "Europe", "Frankfurt", "50.110924", "8.682127", "germanynorth"),
    ("norwayeast", "Norway East", "Europe", "Norway", "59.913868", "10.752245", "norwaywest"),
    ("switzerlandnorth", "Switzerland North", "Europe", "Zurich", "47.451542", "8.564572", "switzerlandwest"),
    ("uaenorth", "UAE North", "Middle East", "Dubai", "25.266666", "55.316666", "uaecentral"),
    ("brazilsouth", "Brazil South", "South America", "Sao Paulo State", "-23.55", "-46.633", "southcentralus"),
    ("northcentralus", "North Central US", "US", "Illinois", "41.8819", "-87.6278", "southcentralus"),
    ("westus", "West US", "US", "California", "37.783", "-122.417", "eastus"),
    ("westcentralus", "West Central US", "US", "Wyoming", "40.89", "-110.234", "westus2"),
    ("australiasoutheast", "Australia Southeast", "Asia Pacific", "Victoria", "-37.8136", "144.9631", "australiaeast"),
    ("japanwest", "Japan West", "Asia Pacific", "Osaka", "34.6939", "135.5022", "japaneast"),
    ("koreasouth", "Korea South", "Asia Pacific", "Busan", "35.1796", "129.0756", "koreacentral"),
    ("southindia", "South India", "Asia Pacific", "Chennai", "12.9822", "80.1636", "centralindia"),
    ("canadaeast", "Canada East", "Canada", "Quebec", "46.817", "-71.217", "canadacentral"),
    ("ukwest", "UK West", "Europe", "Cardiff", "53.427", "-3.084", "uksouth"),
]

_BY_NAME = {r[0]: r for r in REGIONS}
_BY_DISPLAY = {r[1].lower(): r[0] for r in REGIONS}


def normalise_location(location):
    """'East US' / 'eastus' / 'EastUS' -> 'eastus'; unknown regions are refused as ARM does."""
    if not location:
        raise ValidationError("the location argument is required")
    key = location.strip().lower()
    name = _BY_DISPLAY.get(key) or key.replace(" ", "")
    if name not in _BY_NAME:
        available = ",".join(r[0] for r in REGIONS)
        raise ValidationError(
            f"(LocationNotAvailableForResourceGroup) The provided location '{location}' is not available "
            f"for resource group. List of available regions is '{available}'."
        )
    return name


def list_locations():
    out = []
    for name, display, geo, physical, lat, lon, paired in REGIONS:
        out.append({
            "displayName": display,
            "id": f"/subscriptions/{settings.SUBSCRIPTION_ID}/locations/{name}",
            "metadata": {
                "geography": None,
                "geographyGroup": geo,
                "latitude": lat,
                "longitude": lon,
                "pairedRegion": [{
                    "id": f"/subscriptions/{settings.SUBSCRIPTION_ID}/locations/{paired}",
                    "name": paired,
                }],
                "physicalLocation": physical,
                "regionCategory": "Recommended",
                "regionType": "Physical",
            },
            "name": name,
            "regionalDisplayName": f"({geo}) {display}",
            "type": "Region",
        })
    return out
