pragma solidity ^0.5.17;

contract Owned {
    address public owner;

    constructor() public {
        owner = msg.sender;
    }
}

contract Shop is Owned {
    uint256 public price;

    function setPrice(uint256 newPrice) public {
        require(msg.sender == owner, "owner only");
        price = newPrice;
    }
}
